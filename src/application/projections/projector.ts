import { inject, injectable } from 'inversify';
import type { OutboxEntry } from './event-outbox.js';
import { EventOutbox } from './event-outbox.js';
import { ConduitProjection } from './conduit.projection.js';
import { ReadModelStore } from './read-model.store.js';

export interface ProjectorOptions {
  /** This process's name in outbox leases (host:pid:random): unique per process. */
  readonly owner: string;
  readonly batchSize: number;
  /** How long a claimed event stays leased; after that another projector may take it over. */
  readonly leaseMs: number;
  /** Attempts before an event is parked. */
  readonly maxAttempts: number;
  /** Retry delay after the first failure; doubles per attempt, capped at maxRetryDelayMs. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
}
export const ProjectorOptions = Symbol.for('ProjectorOptions');

/** Where the projector reports what went wrong (the logger, in production). */
export interface ProjectionFailureSink {
  /** An event's projection threw: it is retried at `retryAt`, or parked when that is null. */
  projectionFailed(entry: OutboxEntry, error: unknown, retryAt: Date | null): void;
  /** The outbox or read store itself could not be reached (database down). */
  runFailed(error: unknown): void;
}
export const ProjectionFailureSink = Symbol.for('ProjectionFailureSink');

/**
 * Applies committed outbox events to the read models and marks them applied.
 *
 * Any number of projectors (in-process ones in several API replicas, `npm run worker`
 * processes) may share one outbox: each claims a batch of due events under a lease, so
 * they do not do the same work, and a projector killed mid-batch only delays its events
 * until the lease runs out. Order across projectors is not guaranteed and need not be:
 * every projection is idempotent and version-guarded (deletions leave tombstones), so
 * applying an event late or twice never overwrites a newer state.
 *
 * A failing event is retried with exponential backoff and parked after `maxAttempts`;
 * it never holds up the events behind it.
 */
@injectable()
export class Projector {
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<void> | null = null;

  constructor(
    @inject(EventOutbox) private readonly outbox: EventOutbox,
    @inject(ConduitProjection) private readonly projection: ConduitProjection,
    @inject(ReadModelStore) private readonly store: ReadModelStore,
    @inject(ProjectionFailureSink) private readonly failures: ProjectionFailureSink,
    @inject(ProjectorOptions) private readonly options: ProjectorOptions,
  ) {}

  /**
   * Runs until no event is due. Runs in one process are serialised and coalesced: at most
   * one in progress and one queued; callers arriving while a run is queued share it, and
   * since it starts after they asked it sees everything they committed. Never rejects.
   */
  catchUp(): Promise<void> {
    if (this.queued !== null) return this.queued;
    const run = this.tail.then(() => {
      this.queued = null;
      return this.drain();
    });
    this.queued = run.then(() => undefined);
    this.tail = run;
    return this.queued;
  }

  /** Applies due events until none is left; answers how many were applied. Never rejects. */
  private async drain(): Promise<number> {
    let applied = 0;
    try {
      for (;;) {
        const batch = await this.outbox.claim(this.options.owner, this.options.batchSize, this.options.leaseMs);
        if (batch.length === 0) return applied;
        const done: number[] = [];
        for (const entry of batch) {
          if (await this.applyOne(entry)) done.push(entry.position);
        }
        await this.outbox.markApplied(this.options.owner, done);
        applied += done.length;
        if (batch.length < this.options.batchSize) return applied;
      }
    } catch (error) {
      this.failures.runFailed(error);
      return applied;
    }
  }

  private async applyOne(entry: OutboxEntry): Promise<boolean> {
    try {
      await this.projection.apply(entry.event);
      return true;
    } catch (error) {
      const attempt = entry.attempts + 1;
      const retryAt = attempt >= this.options.maxAttempts ? null : new Date(Date.now() + this.retryDelay(attempt));
      this.failures.projectionFailed(entry, error, retryAt);
      await this.outbox.markFailed(this.options.owner, entry.position, describe(error), retryAt);
      return false;
    }
  }

  /** Exponential backoff with ±20 % jitter, so failing events of many processes spread out. */
  private retryDelay(attempt: number): number {
    const base = Math.min(this.options.maxRetryDelayMs, this.options.retryDelayMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /**
   * Before its normal work, a projector that starts against a store a rebuild has just
   * filled (the store's replay mark) replays every event after the mark once, applied by
   * others or not: that covers events projected into another store meanwhile (moving
   * from the SQL read store to MongoDB). Idempotent, so several starting at once is fine.
   */
  async replayMarkedEvents(): Promise<number> {
    const from = await this.store.replayFrom();
    if (from === null) return 0;
    let position = from;
    let replayed = 0;
    for (;;) {
      const batch = await this.outbox.readAfter(position, this.options.batchSize);
      if (batch.length === 0) break;
      for (const entry of batch) {
        try {
          await this.projection.apply(entry.event);
          replayed += 1;
        } catch (error) {
          // Still in the queue if it was never applied; otherwise the store already has it
          // or a newer state (the failure is a missing dependency applied out of order).
          this.failures.projectionFailed(entry, error, new Date());
        }
        position = entry.position;
      }
    }
    await this.store.clearReplayFrom();
    return replayed;
  }

  /**
   * The worker loop: drain, then wait `idleMs` when there was nothing to do, until
   * `signal` aborts. The batch in progress when it aborts is finished, not dropped.
   */
  async runUntil(signal: AbortSignal, idleMs: number): Promise<void> {
    while (!signal.aborted) {
      const applied = await this.catchUpCounting();
      if (applied === 0 && !signal.aborted) await sleep(idleMs, signal);
    }
  }

  private async catchUpCounting(): Promise<number> {
    const run = this.tail.then(() => this.drain());
    this.tail = run;
    return run;
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
