import type { ServiceIdentifier } from 'inversify';
import type { ConduitEvent } from '../../domain/index.js';

/** An event as stored in the outbox, with its position (unique, increasing with time, not with commit order). */
export interface OutboxEntry {
  readonly position: number;
  readonly event: ConduitEvent;
  /** Failed attempts of this subscriber so far. */
  readonly attempts: number;
  /** The trace context (W3C traceparent) of the request that wrote the event, when it was traced. */
  readonly traceContext?: string | undefined;
}

export interface ParkedEntry extends OutboxEntry {
  readonly reason: string;
  readonly parkedAt: Date;
}

/**
 * How the write side queues its events for the projector (bound per process):
 * - projection in process (`inline`): the writer's own events are leased to it at commit,
 *   for `ownLease.ms`, so no other projector claims them before the writer applies them;
 * - projection in workers: nobody leases them, and `awaitMs` says how long the writer will
 *   wait for them, so workers claim them before any backlog.
 */
export interface OutboxAppendOptions {
  readonly ownLease: { readonly owner: string; readonly ms: number } | null;
  readonly awaitMs: number;
  /** The current trace context (W3C traceparent), stored with each appended event; absent when tracing is off. */
  readonly traceContext?: (() => string | undefined) | undefined;
}
export const OutboxAppendOptions = Symbol.for('OutboxAppendOptions');

/** The subscribers of the outbox: each has its own queue of the events still to do. */
export type OutboxSubscriber = 'projector' | 'relay';

/** How far behind one subscriber is (operators, metrics, readiness). */
export interface OutboxBacklog {
  readonly pending: number;
  /** Age of the oldest event still to do (the subscriber's lag); null when none is. */
  readonly oldestAgeMs: number | null;
  readonly parked: number;
}

/** A failed attempt at an event: why, and when it is due again (null: parked until requeued). */
export interface OutboxFailure {
  readonly reason: string;
  readonly retryAt: Date | null;
}

/**
 * The subscribers' side of the transactional outbox the repositories append to. Every
 * committed event is queued once for every subscriber (the projector; the relay when one
 * is registered); each subscriber works through its own queue.
 *
 * Any number of processes may share a subscriber's queue: `claim` leases events to one
 * owner for `leaseMs`, the owner renews the lease while it works, and an owner that dies
 * (kill -9) lets its leases run out, so another owner claims the events within `leaseMs`.
 * Doing an event twice is harmless (projections are idempotent and version-guarded,
 * integration events are de-duplicated by id); losing one is impossible: an event leaves a
 * queue only by `acknowledge`, or by being parked.
 */
export interface EventOutbox {
  /**
   * Leases up to `limit` due events of the subscriber — not done, not parked, not leased by
   * anyone whose lease still runs, and whose retry time (if any) has come. Events a writer
   * is waiting for come first, then the oldest.
   */
  claim(subscriber: OutboxSubscriber, owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** Extends the owner's leases on these events (an owner still at work keeps them). */
  renew(subscriber: OutboxSubscriber, owner: string, positions: readonly number[], leaseMs: number): Promise<void>;
  /** The events are done for the subscriber: they leave its queue, and writers waiting for them are told. */
  acknowledge(subscriber: OutboxSubscriber, positions: readonly number[]): Promise<void>;
  /** Records a failed attempt: due again at `retryAt`, or parked (null) with `reason`. */
  fail(subscriber: OutboxSubscriber, owner: string, position: number, failure: OutboxFailure): Promise<void>;
  /**
   * How far behind the subscriber is. With `countUpTo`, the counts stop there (a metrics
   * scrape stays cheap however large the backlog grows).
   */
  backlog(subscriber: OutboxSubscriber, countUpTo?: number): Promise<OutboxBacklog>;
  /** The highest position written so far; 0 for an empty outbox. */
  lastPosition(): Promise<number>;
  /** Events after `position`, in order, done or not (replays, rebuilds); at most `limit`. */
  readAfter(position: number, limit: number): Promise<OutboxEntry[]>;
  /** Parked events of the subscriber, oldest first (operators). */
  parked(subscriber: OutboxSubscriber, limit: number): Promise<ParkedEntry[]>;
  /** Puts every parked event of the subscriber back in its queue with a fresh attempt count; answers how many. */
  requeueParked(subscriber: OutboxSubscriber): Promise<number>;
  /** Registers a subscriber: every event committed from now on is queued for it too. Idempotent. */
  subscribe(subscriber: OutboxSubscriber): Promise<void>;
}
/** Typed, so that `container.get(EventOutbox)` is an EventOutbox. */
export const EventOutbox: ServiceIdentifier<EventOutbox> = Symbol.for('EventOutbox');

/**
 * Signals between processes sharing an outbox (PostgreSQL LISTEN/NOTIFY; in-process for
 * the in-memory outbox): workers wake when events are committed, and a writer waiting for
 * its own events hears when they are projected — no polling.
 */
export interface OutboxSignals {
  /** Resolves when new events were committed, after `maxMs` at the latest, or at once when `signal` aborts. Never rejects. */
  nextWork(maxMs: number, signal: AbortSignal): Promise<void>;
  /** True once the projector acknowledged every position; false after `timeoutMs`. Never rejects. */
  projected(positions: readonly number[], timeoutMs: number): Promise<boolean>;
}
export const OutboxSignals = Symbol.for('OutboxSignals');
