import type { ConduitEvent } from '../../domain/index.js';

/** An event as stored in the outbox, with its position (global commit order). */
export interface OutboxEntry {
  readonly position: number;
  readonly event: ConduitEvent;
  /** Failed projection attempts so far. */
  readonly attempts: number;
}

export interface ParkedEntry extends OutboxEntry {
  readonly reason: string;
  readonly parkedAt: Date;
}

/**
 * The projectors' view of the transactional outbox the repositories append to.
 *
 * Several projector processes may share one outbox: `claim` leases events to one owner
 * for `leaseMs`; an owner that dies (kill -9) simply lets its leases run out, and another
 * owner claims the events again. Applying an event twice is harmless (projections are
 * idempotent and version-guarded), losing one is impossible (an event leaves the queue
 * only by `markApplied` or by being parked).
 */
export interface EventOutbox {
  /**
   * Leases up to `limit` due events — not applied, not parked, not leased by anyone whose
   * lease still runs, and whose retry time (if any) has come — oldest first.
   */
  claim(owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  markApplied(owner: string, positions: readonly number[]): Promise<void>;
  /** Records a failed attempt: try again at `retryAt`, or park the event (null) with `reason`. */
  markFailed(owner: string, position: number, reason: string, retryAt: Date | null): Promise<void>;
  /** The highest position written so far; 0 for an empty outbox. */
  lastPosition(): Promise<number>;
  /** True when every event up to and including `position` is applied or parked. */
  projectedThrough(position: number): Promise<boolean>;
  /** Events after `position`, in order, applied or not (replays, rebuilds); at most `limit`. */
  readAfter(position: number, limit: number): Promise<OutboxEntry[]>;
  /** Parked events, oldest first (operators). */
  parked(limit: number): Promise<ParkedEntry[]>;
  /** Puts every parked event back in the queue with a fresh attempt count; answers how many. */
  requeueParked(): Promise<number>;
}
export const EventOutbox = Symbol.for('EventOutbox');
