import { inject, injectable } from 'inversify';
import { EventOutbox, type OutboxEntry, type OutboxSignals } from '../read-side/event-outbox.js';
import { toIntegrationEvent, type IntegrationEvent } from './integration-events.js';
import { MessagePublisher } from './message-bus.js';

export interface RelayOptions {
  /** This process's name in outbox leases (host:pid:random): unique per process. */
  readonly owner: string;
  readonly batchSize: number;
  /** How long claimed events stay leased without renewal; a killed relay's events are taken over after it. */
  readonly leaseMs: number;
  /** First pause after a refused publish; doubles per refusal up to `maxBackoffMs`. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** The longest sleep between two looks at the outbox when no signal woke the relay. */
  readonly idleMs: number;
  /**
   * The pause after a batch before the next look: events committed meanwhile go out
   * together, one claim and one acknowledgement for all of them, rather than a claim and
   * an acknowledgement for every few. It bounds how late an event is published under load.
   */
  readonly gatherMs: number;
}
export const RelayOptions = Symbol.for('RelayOptions');

/** Where the relay reports (logs, and metrics once they exist). */
export interface RelayMonitor {
  /** A batch was accepted by the broker and acknowledged in the outbox. */
  published(count: number, durationMs: number): void;
  /** The broker refused or could not be reached; the same batch is tried again after `retryInMs`. */
  publishFailed(error: unknown, refusals: number, retryInMs: number): void;
  /** An event has no integration event (a bug): it is parked, the rest go on. */
  unpublishable(entry: OutboxEntry, error: unknown): void;
  /** The outbox could not be reached (database down); the run is retried. */
  runFailed(error: unknown): void;
}
export const RelayMonitor = Symbol.for('RelayMonitor');

/**
 * Publishes committed outbox events to the broker as integration events, as the outbox's
 * `relay` subscriber: its own queue, so it neither waits for nor holds up the projector.
 *
 * - Any number of relays share the queue: each claims a batch under a lease, renews the
 *   lease while it publishes, and acknowledges the batch only after the broker confirmed
 *   every event in it. A relay killed at any moment leaves its batch leased until the lease
 *   runs out; another relay (or the restarted one) publishes it again with the same ids,
 *   which the broker de-duplicates and consumers' inboxes absorb. Nothing is lost.
 * - A broker outage is nobody's failure: the batch stays claimed and is published again
 *   with a doubling pause (bounded by `maxBackoffMs`), for as long as the outage lasts.
 *   Writes never touch the broker, so they go on; their events wait in the outbox.
 * - Within a batch events go out in outbox order; across batches and relays no order is
 *   promised (ADR 010): consumers order by `aggregateversion`.
 */
@injectable()
export class OutboxRelay {
  constructor(
    @inject(EventOutbox) private readonly outbox: EventOutbox,
    @inject(MessagePublisher) private readonly publisher: MessagePublisher,
    @inject(RelayMonitor) private readonly monitor: RelayMonitor,
    @inject(RelayOptions) private readonly options: RelayOptions,
  ) {}

  /** Registers the relay's queue in the outbox: events committed from then on are queued for it. Idempotent. */
  subscribe(): Promise<void> {
    return this.outbox.subscribe('relay');
  }

  /**
   * Relays until `signal` aborts: drain the queue, then wait for new events (the outbox's
   * signal) or `idleMs` when there were none, or `gatherMs` when there were. The batch in
   * progress when it aborts is finished if the broker accepts it, otherwise left to its lease.
   */
  async runUntil(signal: AbortSignal, signals: OutboxSignals): Promise<void> {
    let outboxFailures = 0;
    while (!signal.aborted) {
      let published: number;
      try {
        published = await this.drain(signal);
        outboxFailures = 0;
      } catch (error) {
        this.monitor.runFailed(error);
        outboxFailures += 1;
        await sleep(this.backoff(outboxFailures), signal);
        continue;
      }
      if (signal.aborted) break;
      if (published === 0) await signals.nextWork(this.options.idleMs, signal);
      else await sleep(this.options.gatherMs, signal);
    }
  }

  /** Publishes due events until none is left (or `signal` aborts); answers how many. Throws when the outbox cannot be reached. */
  async drain(signal?: AbortSignal): Promise<number> {
    let published = 0;
    const { batchSize, owner, leaseMs } = this.options;
    while (signal?.aborted !== true) {
      const batch = await this.outbox.claim('relay', owner, batchSize, leaseMs);
      if (batch.length === 0) break;
      published += await this.withRenewedLeases(batch, () => this.publishBatch(batch, signal));
      if (batch.length < batchSize) break;
    }
    return published;
  }

  /** How long the oldest event not yet published has waited, in seconds (0 when none): the relay's lag. */
  async lagSeconds(): Promise<number> {
    const backlog = await this.outbox.backlog('relay');
    return backlog.oldestAgeMs === null ? 0 : backlog.oldestAgeMs / 1000;
  }

  private async publishBatch(batch: readonly OutboxEntry[], signal: AbortSignal | undefined): Promise<number> {
    const events: IntegrationEvent[] = [];
    const positions: number[] = [];
    for (const entry of batch) {
      try {
        events.push(toIntegrationEvent(entry.event));
        positions.push(entry.position);
      } catch (error) {
        this.monitor.unpublishable(entry, error);
        await this.outbox.fail('relay', this.options.owner, entry.position, { reason: describe(error), retryAt: null });
      }
    }
    if (events.length === 0) return 0;
    const started = performance.now();
    for (let refusals = 0; ; ) {
      try {
        await this.publisher.publish(events);
        break;
      } catch (error) {
        refusals += 1;
        const wait = this.backoff(refusals);
        this.monitor.publishFailed(error, refusals, wait);
        // Stopping: the batch stays leased and is published by whoever claims it next.
        if (signal?.aborted === true || !(await sleep(wait, signal))) return 0;
      }
    }
    await this.outbox.acknowledge('relay', positions);
    this.monitor.published(events.length, performance.now() - started);
    return events.length;
  }

  /** Keeps the batch's leases alive while `work` runs (a long broker outage included). */
  private async withRenewedLeases<T>(batch: readonly OutboxEntry[], work: () => Promise<T>): Promise<T> {
    const { owner, leaseMs } = this.options;
    const positions = batch.map((entry) => entry.position);
    const timer = setInterval(() => {
      this.outbox.renew('relay', owner, positions, leaseMs).catch((error: unknown) => this.monitor.runFailed(error));
    }, Math.max(100, Math.floor(leaseMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Doubling from `initialBackoffMs`, capped, with ±20 % jitter so relays do not retry in step. */
  private backoff(failures: number): number {
    const { initialBackoffMs, maxBackoffMs } = this.options;
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(failures - 1, 30));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

/** Resolves true after `ms`, or false at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
