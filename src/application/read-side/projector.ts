import { inject, injectable, optional } from 'inversify';
import { DependencyUnavailable } from '../shared/errors.js';
import { noTracing, Tracing } from '../shared/tracing.js';
import { ensureActiveGeneration, ActiveGeneration } from './active-generation.js';
import { EventOutbox, type OutboxEntry, type OutboxSignals } from './event-outbox.js';
import { changeOf, type ReadModelChange } from './read-model-changes.js';
import { ReadModelGenerations } from './read-model-generations.js';
import { ReadModelWriter } from './read-model.writer.js';

export interface ProjectorOptions {
  /** This process's name in outbox leases (host:pid:random): unique per process. */
  readonly owner: string;
  readonly batchSize: number;
  /** How long a claimed event stays leased without renewal; a dead owner's events are taken over after it. */
  readonly leaseMs: number;
  /** Attempts before an event is parked. */
  readonly maxAttempts: number;
  /** Retry delay after the first failure; doubles per attempt, capped at maxRetryDelayMs. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /**
   * How long the acknowledgements of writers' own events gather before one statement takes
   * them all (`applyOwn`); nobody waits for it. Keep it far below `leaseMs`: the events
   * stay leased to this process until then.
   */
  readonly acknowledgeGatherMs: number;
}
export const ProjectorOptions = Symbol.for('ProjectorOptions');

/** Where the projector reports what went wrong and how long it took (logs, metrics). */
export interface ProjectionMonitor {
  /** An event's projection threw: it is retried at `retryAt`, or parked when that is null. */
  projectionFailed(entry: OutboxEntry, error: unknown, retryAt: Date | null): void;
  /** The outbox or read store itself could not be reached (database down). */
  runFailed(error: unknown): void;
  /** A batch of events was applied in `durationMs` (the cache told); its acknowledgement follows. */
  projected(entries: readonly OutboxEntry[], durationMs: number): void;
  /** The read store had lost its data and was prepared again for a full replay. */
  readStoreRepaired(generation: string): void;
}
export const ProjectionMonitor = Symbol.for('ProjectionMonitor');

/**
 * Told what each batch changed, after the read models committed it and before the outbox
 * is acknowledged (so before any waiting writer is released): the cache invalidates here.
 */
export interface ProjectionObserver {
  applied(changes: readonly ReadModelChange[]): Promise<void>;
  /**
   * The read models were filled anew rather than changed event by event (a replay into a
   * repaired or rebuilt store, a rebuild's generation swap): nothing derived from them
   * before still holds.
   */
  replaced(): Promise<void>;
}
export const ProjectionObserver = Symbol.for('ProjectionObserver');

/**
 * Applies committed outbox events to the read models and acknowledges them.
 *
 * - A writer's own events are applied by the writer's process right after its commit
 *   (`applyOwn`): they were leased to it in the commit, so nobody else claims them meanwhile,
 *   and they come from memory, so nothing is read back. They are acknowledged after the
 *   writer is answered, many groups' at once.
 * - Everything else — events of a process that died before projecting, failed attempts
 *   due again, every event when projection runs in worker processes — is claimed from the
 *   outbox in batches (`drain`), under leases renewed while the batch is applied.
 *
 * Any number of projectors may share one outbox. Order across them is not guaranteed and
 * need not be: every change is idempotent and version-guarded (deletions leave tombstones),
 * and a change whose dependency is not projected yet throws and is retried. A failing
 * event is retried with exponential backoff and parked after `maxAttempts`; it never holds
 * up the events around it.
 *
 * A read store that cannot be reached (DependencyUnavailable) is not the event's failure:
 * the run stops and reports it, no attempt is counted and nothing is parked, and the
 * events are claimed again when their leases run out — however long the outage lasts.
 */
@injectable()
export class Projector {
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<void> | null = null;
  /** Writers whose own events wait for the group being applied to finish (`applyOwn`), in commit order. */
  private readonly waitingWriters: { readonly entries: readonly OutboxEntry[]; readonly done: () => void }[] = [];
  private applyingOwn = false;
  /** Positions of own events applied and not yet acknowledged; one statement takes all that gathered. */
  private readonly unacknowledged: number[] = [];
  private acknowledging: Promise<void> | null = null;
  /** Ends the current gathering of acknowledgements at once (`acknowledged`). */
  private endGathering: (() => void) | null = null;

  constructor(
    @inject(EventOutbox) private readonly outbox: EventOutbox,
    @inject(ReadModelWriter) private readonly writer: ReadModelWriter,
    @inject(ReadModelGenerations) private readonly generations: ReadModelGenerations,
    @inject(ActiveGeneration) private readonly active: ActiveGeneration,
    @inject(ProjectionObserver) private readonly observer: ProjectionObserver,
    @inject(ProjectionMonitor) private readonly monitor: ProjectionMonitor,
    @inject(ProjectorOptions) private readonly options: ProjectorOptions,
    @inject(Tracing) @optional() private readonly tracing: Tracing = noTracing,
  ) {}

  /**
   * Applies a writer's own events, just committed and leased to this process; resolves once
   * they are applied (or failed and scheduled for retry), before they are acknowledged
   * (`acknowledgeLater`). Never rejects.
   *
   * Writers' events are grouped, as a database groups commits: while one group is being
   * applied, the events of every writer that commits meanwhile wait and then go together,
   * as the next batch (up to `batchSize` events, whole writers only). A lone writer's events
   * go at once; under load, one transaction (its locks, its count deltas) serves many
   * writers instead of one each, and one acknowledgement serves many groups.
   */
  applyOwn(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise((done) => {
      this.waitingWriters.push({ entries, done });
      if (!this.applyingOwn) void this.applyOwnInGroups();
    });
  }

  /** Applies the waiting writers' events, a group at a time, until no writer waits. */
  private async applyOwnInGroups(): Promise<void> {
    this.applyingOwn = true;
    try {
      while (this.waitingWriters.length > 0) {
        const group = [this.waitingWriters.shift()!];
        let size = group[0]!.entries.length;
        while (this.waitingWriters.length > 0 && size + this.waitingWriters[0]!.entries.length <= this.options.batchSize) {
          const next = this.waitingWriters.shift()!;
          group.push(next);
          size += next.entries.length;
        }
        try {
          this.acknowledgeLater(await this.applyBatch(group.flatMap((writer) => writer.entries)));
        } catch (error) {
          this.monitor.runFailed(error);
        }
        for (const writer of group) writer.done();
      }
    } finally {
      this.applyingOwn = false;
    }
  }

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

  /**
   * The worker loop: drain, then wait for the outbox's signal (new events) or `idleMs`,
   * until `signal` aborts. The batch in progress when it aborts is finished, not dropped.
   * Every `repairEveryMs` the read store is checked and repaired if it lost its data.
   */
  async runUntil(signal: AbortSignal, signals: OutboxSignals, idleMs: number, repairEveryMs = 5_000): Promise<void> {
    let nextRepair = performance.now() + repairEveryMs;
    while (!signal.aborted) {
      if (performance.now() >= nextRepair) {
        await this.repairReadStore();
        nextRepair = performance.now() + repairEveryMs;
      }
      const run = this.tail.then(() => this.drain(signal));
      this.tail = run;
      const applied = await run;
      if (applied === 0 && !signal.aborted) await signals.nextWork(idleMs, signal);
    }
  }

  /**
   * Prepares the read store again when it lost its data (its pointer, or the active
   * generation's tables), then replays the whole outbox into it; finishes a replay that
   * an outage interrupted (or that could not start because the store was down when this
   * process started). Never rejects.
   */
  async repairReadStore(): Promise<void> {
    try {
      const before = await this.generations.activeGeneration();
      const intact = before !== null && (await this.generations.isIntact(before));
      if (!intact) {
        const generation = await ensureActiveGeneration(this.generations);
        this.active.forget();
        this.monitor.readStoreRepaired(generation);
      }
      await this.replayMarkedEvents();
    } catch (error) {
      this.monitor.runFailed(error);
    }
  }

  /**
   * Before its normal work, a projector that starts against a store a rebuild has just
   * filled (the store's replay mark) replays every event after the mark once, applied by
   * others or not: that covers events projected into another store meanwhile (moving
   * from the SQL read store to MongoDB), and fills a store that lost its data. Idempotent,
   * so several starting at once is fine.
   */
  async replayMarkedEvents(): Promise<number> {
    const from = await this.generations.replayFrom();
    if (from === null) return 0;
    let position = from;
    let replayed = 0;
    for (;;) {
      const batch = await this.outbox.readAfter(position, this.options.batchSize);
      if (batch.length === 0) break;
      for (const entry of batch) {
        try {
          await this.writer.apply([changeOf(entry.event)]);
          replayed += 1;
        } catch (error) {
          // The store is down: the mark stays, and the replay starts over once it answers.
          if (error instanceof DependencyUnavailable) throw error;
          // Still in the queue if it was never applied; otherwise the store already has it
          // or a newer state (the failure is a missing dependency applied out of order).
          this.monitor.projectionFailed(entry, error, new Date());
        }
        position = entry.position;
      }
    }
    await this.generations.clearReplayFrom();
    // Readers may have cached what the store answered while it was being refilled.
    if (replayed > 0) await this.observer.replaced();
    return replayed;
  }

  /**
   * Claims and applies due events until none is left, or until `stop` aborts (the batch in
   * progress is finished, no further one is claimed); answers how many were applied. Never rejects.
   */
  private async drain(stop?: AbortSignal): Promise<number> {
    let applied = 0;
    try {
      while (stop?.aborted !== true) {
        const { batchSize, owner, leaseMs } = this.options;
        const batch = await this.outbox.claim('projector', owner, batchSize, leaseMs);
        if (batch.length === 0) return applied;
        applied += await this.withRenewedLeases(batch, async () => {
          const done = await this.applyBatch(batch);
          if (done.length > 0) await this.outbox.acknowledge('projector', done);
          return done.length;
        });
        if (batch.length < batchSize) return applied;
      }
      return applied;
    } catch (error) {
      this.monitor.runFailed(error);
      return applied;
    }
  }

  /** Keeps the batch's leases alive while `work` runs, so a slow batch is not taken over. */
  private async withRenewedLeases<T>(batch: readonly OutboxEntry[], work: () => Promise<T>): Promise<T> {
    const { owner, leaseMs } = this.options;
    const positions = batch.map((entry) => entry.position);
    const timer = setInterval(() => {
      this.outbox.renew('projector', owner, positions, leaseMs).catch((error: unknown) => this.monitor.runFailed(error));
    }, Math.max(100, Math.floor(leaseMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * The batch in one write where the store allows it; when that fails, event by event, so
   * that one failing event is retried (or parked) alone. The observer is told what was
   * applied; answers the positions applied, which the caller acknowledges: at once for
   * claimed events (`drain`), a little later for writers' own (`acknowledgeLater`).
   */
  private applyBatch(batch: readonly OutboxEntry[]): Promise<readonly number[]> {
    if (this.tracing === noTracing) return this.applyTraced(batch);
    // The span continues the trace of the request that wrote the events (stored with each);
    // a batch of several traces is its own trace, linked to each of them.
    const contexts = [...new Set(batch.map((entry) => entry.traceContext).filter((c): c is string => c !== undefined))];
    const traceIds = new Set(contexts.map((context) => context.split('-')[1]));
    const parent = traceIds.size === 1 ? contexts[0] : undefined;
    return this.tracing.inSpan(
      'project events',
      { parent, links: contexts, attributes: { 'conduit.events': batch.length, 'conduit.event_types': eventTypes(batch) } },
      () => this.applyTraced(batch),
    );
  }

  private async applyTraced(batch: readonly OutboxEntry[]): Promise<readonly number[]> {
    const started = performance.now();
    const changes = batch.map((entry) => changeOf(entry.event));
    let done: OutboxEntry[];
    try {
      await this.writer.apply(changes);
      done = [...batch];
    } catch (error) {
      if (error instanceof DependencyUnavailable) throw error;
      done = [];
      for (const entry of batch) {
        if (await this.applyAlone(entry)) done.push(entry);
      }
    }
    if (done.length === 0) return [];
    await this.observer.applied(done.map((entry) => changeOf(entry.event)));
    this.monitor.projected(done, performance.now() - started);
    return done.map((entry) => entry.position);
  }

  /**
   * Resolves once every own event applied so far is acknowledged, or its acknowledgement
   * failed (reported; the events are then applied again once their leases run out). Never
   * rejects. The API awaits it before it closes.
   */
  async acknowledged(): Promise<void> {
    while (this.acknowledging !== null) {
      this.endGathering?.();
      await this.acknowledging;
    }
  }

  /**
   * Own events leave the outbox after their writers were answered: the read models hold
   * them already, and until the acknowledgement lands they stay leased to this process, so
   * nobody applies them meanwhile. Positions gather for `acknowledgeGatherMs`, then one
   * statement takes all of them; those applied while it runs gather for the next. A lost
   * acknowledgement (a crash, an outage) means the events are applied again when their
   * leases run out, which is harmless.
   */
  private acknowledgeLater(positions: readonly number[]): void {
    if (positions.length === 0) return;
    this.unacknowledged.push(...positions);
    this.acknowledging ??= this.acknowledgeGathered();
  }

  private async acknowledgeGathered(): Promise<void> {
    try {
      while (this.unacknowledged.length > 0) {
        await new Promise<void>((gathered) => {
          const timer = setTimeout(gathered, this.options.acknowledgeGatherMs);
          this.endGathering = () => {
            clearTimeout(timer);
            gathered();
          };
        });
        this.endGathering = null;
        const positions = this.unacknowledged.splice(0);
        try {
          await this.outbox.acknowledge('projector', positions);
        } catch (error) {
          this.monitor.runFailed(error);
        }
      }
    } finally {
      this.acknowledging = null;
    }
  }

  private async applyAlone(entry: OutboxEntry): Promise<boolean> {
    try {
      await this.writer.apply([changeOf(entry.event)]);
      return true;
    } catch (error) {
      if (error instanceof DependencyUnavailable) throw error;
      const attempt = entry.attempts + 1;
      const retryAt = attempt >= this.options.maxAttempts ? null : new Date(Date.now() + this.retryDelay(attempt));
      this.monitor.projectionFailed(entry, error, retryAt);
      await this.outbox.fail('projector', this.options.owner, entry.position, { reason: describe(error), retryAt });
      return false;
    }
  }

  /** Exponential backoff with ±20 % jitter, so failing events of many processes spread out. */
  private retryDelay(attempt: number): number {
    const base = Math.min(this.options.maxRetryDelayMs, this.options.retryDelayMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

const eventTypes = (batch: readonly OutboxEntry[]): string => [...new Set(batch.map((entry) => entry.event.type))].join(',');

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
