import { inject, injectable } from 'inversify';
import { Clock } from '../shared/ports.js';
import { ActiveGeneration } from './active-generation.js';
import { EventOutbox } from './event-outbox.js';
import { changeOf, type ReadModelChange } from './read-model-changes.js';
import { GENERATION_TTL_MS, ReadModelGenerations } from './read-model-generations.js';
import { ProjectionObserver } from './projector.js';
import type { ReadModelWriter } from './read-model.writer.js';
import type { RebuildProgress, RebuildReadModels, RebuildStep } from './rebuild-options.js';
import { WriteModelSnapshot, type WriteModelCounts } from './write-model-snapshot.js';

export interface RebuildReport {
  readonly generation: string;
  /** The generation served before; kept for a rollback. */
  readonly previous: string | null;
  readonly dropped: readonly string[];
  /** Rows written into the new generation, per listing. */
  readonly copied: WriteModelCounts;
  /** Events replayed, both passes together. */
  readonly replayed: number;
  /** Outbox position when the copy started (P0) and when the generation was activated (P1). */
  readonly copiedFrom: number;
  readonly activatedAt: number;
  readonly replayMarkKept: boolean;
}

/** A write the new generation refused for now; retried once the replay has brought what it depends on. */
interface Deferred {
  readonly what: string;
  readonly retry: () => Promise<void>;
}

/** Some rows or events could not be placed in the new generation, even after the replay. */
export class RebuildIncomplete extends Error {
  override readonly name = 'RebuildIncomplete';
  constructor(
    readonly generation: string,
    readonly failures: readonly { readonly what: string; readonly error: string }[],
    readonly activated: boolean,
  ) {
    super(
      `rebuild of ${generation}: ${failures.length} write(s) could not be applied` +
        `${activated ? ' after the swap' : '; the previous generation is still served'}: ` +
        failures
          .slice(0, 5)
          .map((f) => `${f.what} (${f.error})`)
          .join('; '),
    );
  }
}

/** More deferred writes than this means something systematic (a store down), not a race. */
const MAX_DEFERRED = 10_000;

/**
 * Rebuilds every read model from the write model into a fresh generation and swaps it in,
 * while the active one keeps serving (reads never wait for a rebuild).
 *
 * 1. A new generation `g<UTC timestamp>` is prepared. P0 = the outbox's last position; a
 *    grace period lets writes that already hold a position ≤ P0 commit (positions are drawn
 *    at insert, so they may commit after P0 is read), so the copy sees their rows.
 * 2. The write model is copied in: users (authors are embedded from them), then articles,
 *    follows, favourites, comments, in bounded batches with bounded concurrency. The
 *    listings are not one snapshot, so a row copied late may be newer than P0.
 *    Deletions up to P0 are then recorded from the outbox: the write model no longer holds
 *    what they deleted, and without their tombstones an event still pending from before
 *    the rebuild (a retry, a parked event put back) could bring a deleted article or
 *    comment back into the new generation.
 * 3. Every event after P0 up to P1 (the last position now) is replayed into the new
 *    generation. Projections are version-guarded, so events older than a copied row change
 *    nothing, and rows that changed during the copy end in their latest state.
 * 4. `activate(generation, P1)` swaps the pointer. Processes still on the old generation
 *    notice within GENERATION_TTL_MS; the grace period waits for that.
 * 5. The events after P0 are replayed once more: whatever live projectors applied to the
 *    old generation after P1, and anything committed late behind a position already passed.
 *    Then the replay mark is cleared (or kept, see `keepReplayMark`).
 * 6. Generations older than the previous one are dropped; the previous one is kept for a
 *    rollback.
 *
 * Writes can arrive out of order in the new generation (a comment copied before its
 * article's ArticlePublished is replayed, a rename that frees a name copied after the row
 * that takes it): the writer refuses those, and they are deferred and retried once the
 * replay has brought what they depend on. One that still fails fails the rebuild; before
 * the swap, the new generation is dropped and nothing changed for readers; after it, the
 * replay mark stays set, so the next projector to start replays the events after P1.
 */
@injectable()
export class RebuildReadModelsHandler {
  constructor(
    @inject(ReadModelGenerations) private readonly store: ReadModelGenerations,
    @inject(ActiveGeneration) private readonly active: ActiveGeneration,
    @inject(WriteModelSnapshot) private readonly snapshot: WriteModelSnapshot,
    @inject(EventOutbox) private readonly outbox: EventOutbox,
    @inject(Clock) private readonly clock: Clock,
    @inject(ProjectionObserver) private readonly observer: ProjectionObserver,
  ) {}

  async execute(command: RebuildReadModels = {}): Promise<RebuildReport> {
    const run = new RebuildRun(command);
    const previous = await this.store.activeGeneration();
    const keepReplayMark = command.keepReplayMark ?? (await this.store.replayFrom()) !== null;
    const generation = await this.newGenerationName();
    await this.store.prepare(generation);
    const writer = this.store.writerFor(generation);

    let copied: WriteModelCounts;
    let copiedFrom: number;
    let activatedAt: number;
    let replayed: number;
    try {
      copiedFrom = await this.outbox.lastPosition();
      await run.wait('settle');
      run.checkAborted();
      copied = await this.copy(writer, run);
      await this.recordDeletions(writer, copiedFrom, run);
      activatedAt = await this.outbox.lastPosition();
      replayed = await this.replay(writer, copiedFrom, activatedAt, 'catch-up', run);
      await run.retryDeferred(generation, false);
      run.checkAborted();
      await this.store.activate(generation, activatedAt);
      this.active.forget();
      await this.observer.replaced();
    } catch (error) {
      // Nobody reads the new generation yet: dropping it undoes the whole attempt. (If the
      // swap did commit before failing to answer, the store refuses to drop the active one.)
      await this.store.drop(generation).catch(() => undefined);
      throw error;
    }

    await run.wait('drain');
    replayed += await this.replay(writer, copiedFrom, null, 'final-replay', run);
    await run.retryDeferred(generation, true);
    if (!keepReplayMark) await this.store.clearReplayFrom();
    // Once more: until the drain, processes still on the old generation kept caching from it.
    await this.observer.replaced();

    const dropped = await this.dropOlderThan(previous, generation, run);
    return { generation, previous, dropped, copied, replayed, copiedFrom, activatedAt, replayMarkKept: keepReplayMark };
  }

  /** `g` + the UTC time to the millisecond, suffixed when a generation of that name exists. */
  private async newGenerationName(): Promise<string> {
    const stamp = this.clock.now().toISOString().replace(/[^0-9]/g, '');
    const taken = new Set(await this.store.listGenerations());
    let name = `g${stamp}`;
    for (let n = 2; taken.has(name); n++) name = `g${stamp}_${n}`;
    return name;
  }

  private async copy(writer: ReadModelWriter, run: RebuildRun): Promise<WriteModelCounts> {
    const totals = await this.snapshot.counts();
    const size = run.batchSize;
    const copy = (step: RebuildStep, total: number, batches: AsyncIterable<readonly ReadModelChange[]>) =>
      run.copy(step, total, batches, writer);
    return {
      users: await copy('users', totals.users, this.snapshot.users(size)),
      articles: await copy('articles', totals.articles, this.snapshot.articles(size)),
      follows: await copy('follows', totals.follows, this.snapshot.follows(size)),
      favorites: await copy('favorites', totals.favorites, this.snapshot.favorites(size)),
      comments: await copy('comments', totals.comments, this.snapshot.comments(size)),
    };
  }

  /**
   * Applies the events after `from` (up to `to`, or to the end) in outbox order; answers
   * how many. Sequential: events of one aggregate must meet the writer in order for the
   * comment tombstones to be meaningful, and replays are short next to the copy.
   */
  private async replay(
    writer: ReadModelWriter,
    from: number,
    to: number | null,
    step: RebuildStep,
    run: RebuildRun,
  ): Promise<number> {
    const end = to ?? (await this.outbox.lastPosition());
    await run.progress?.started(step, Math.max(0, end - from));
    let position = from;
    let count = 0;
    for (;;) {
      const entries = await this.outbox.readAfter(position, run.batchSize);
      const due = to === null ? entries : entries.filter((entry) => entry.position <= to);
      for (const entry of due) {
        const what = `event ${entry.position} (${entry.event.type})`;
        const apply = () => writer.apply([changeOf(entry.event)]);
        try {
          await apply();
        } catch (error) {
          run.defer({ what, retry: apply }, error);
        }
        position = entry.position;
      }
      count += due.length;
      if (to !== null) run.checkAborted();
      if (due.length > 0) await run.progress?.advanced(step, due.length);
      if (due.length < run.batchSize) break;
    }
    await run.progress?.finished(step);
    return count;
  }

  /**
   * Tombstones for every article and comment deleted up to `through`: reads the outbox from
   * its start but writes only deletions (each a tombstone of something the copy did not see).
   */
  private async recordDeletions(writer: ReadModelWriter, through: number, run: RebuildRun): Promise<void> {
    await run.progress?.started('tombstones', through);
    for (let position = 0; position < through; ) {
      const entries = (await this.outbox.readAfter(position, run.batchSize)).filter((e) => e.position <= through);
      if (entries.length === 0) break;
      const deletions = entries.map((entry) => changeOf(entry.event)).filter(isDeletion);
      if (deletions.length > 0) await writer.apply(deletions);
      const last = entries[entries.length - 1]?.position ?? through;
      await run.progress?.advanced('tombstones', last - position);
      position = last;
      run.checkAborted();
    }
    await run.progress?.finished('tombstones');
  }

  private async dropOlderThan(previous: string | null, generation: string, run: RebuildRun): Promise<string[]> {
    if (previous === null) return [];
    const all = await this.store.listGenerations();
    const keepFrom = all.indexOf(previous);
    const doomed = all.slice(0, Math.max(0, keepFrom)).filter((g) => g !== generation && g !== previous);
    await run.progress?.started('cleanup', doomed.length);
    for (const old of doomed) {
      await this.store.drop(old);
      await run.progress?.advanced('cleanup', 1);
    }
    await run.progress?.finished('cleanup');
    return doomed;
  }
}

/** The state of one rebuild: its settings, its progress reporter and its deferred writes. */
class RebuildRun {
  readonly batchSize: number;
  readonly concurrency: number;
  readonly graceMs: number;
  readonly progress: RebuildProgress | undefined;
  private readonly signal: AbortSignal | undefined;
  private deferred: Deferred[] = [];

  constructor(command: RebuildReadModels) {
    this.signal = command.signal;
    this.batchSize = positive('batchSize', command.batchSize ?? 500);
    this.concurrency = positive('concurrency', command.concurrency ?? 2);
    this.graceMs = command.graceMs ?? 2 * GENERATION_TTL_MS;
    if (!(this.graceMs >= 0)) throw new RangeError(`graceMs must be ≥ 0, got ${command.graceMs}`);
    this.progress = command.progress;
  }

  async wait(step: RebuildStep): Promise<void> {
    await this.progress?.started(step, 0);
    if (this.graceMs > 0) await new Promise((resolve) => setTimeout(resolve, this.graceMs));
    await this.progress?.finished(step);
  }

  /**
   * Writes every change of a listing, batch by batch (one writer call each: one transaction
   * where the store has them), at most `concurrency` batches at once; answers how many.
   * A batch the writer refuses is written change by change, and the changes it still
   * refuses are deferred until the replay has brought what they depend on.
   */
  async copy(
    step: RebuildStep,
    total: number,
    batches: AsyncIterable<readonly ReadModelChange[]>,
    writer: ReadModelWriter,
  ): Promise<number> {
    await this.progress?.started(step, total);
    let count = 0;
    const inFlight = new Set<Promise<void>>();
    const write = async (batch: readonly ReadModelChange[]): Promise<void> => {
      try {
        await writer.apply(batch);
      } catch {
        for (const change of batch) {
          const retry = () => writer.apply([change]);
          try {
            await retry();
          } catch (error) {
            this.defer({ what: describeChange(change), retry }, error);
          }
        }
      }
      count += batch.length;
      await this.progress?.advanced(step, batch.length);
    };
    for await (const batch of batches) {
      const running: Promise<void> = write(batch).finally(() => inFlight.delete(running));
      inFlight.add(running);
      if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
      this.checkAborted();
    }
    await Promise.all(inFlight);
    await this.progress?.finished(step);
    return count;
  }

  /** Called between batches before the swap only: after it, stopping would leave more to clean up than finishing. */
  checkAborted(): void {
    if (this.signal?.aborted) throw new Error('rebuild aborted before the swap; the previous generation is still served');
  }

  defer(write: Deferred, error: unknown): void {
    if (this.deferred.length >= MAX_DEFERRED)
      throw new Error(`rebuild: more than ${MAX_DEFERRED} writes refused; the last: ${write.what}: ${describe(error)}`);
    this.deferred.push(write);
  }

  /** Retries every deferred write once, in the order they were deferred; throws if any still fails. */
  async retryDeferred(generation: string, activated: boolean): Promise<void> {
    const pending = this.deferred;
    this.deferred = [];
    const failures: { what: string; error: string }[] = [];
    for (const write of pending) {
      try {
        await write.retry();
      } catch (error) {
        failures.push({ what: write.what, error: describe(error) });
      }
    }
    if (failures.length > 0) throw new RebuildIncomplete(generation, failures, activated);
  }
}

const positive = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  return value;
};

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const isDeletion = (change: ReadModelChange): boolean =>
  change.kind === 'article-deleted' || change.kind === 'comment-deleted';

function describeChange(change: ReadModelChange): string {
  switch (change.kind) {
    case 'user':
      return `user ${change.user.userId}`;
    case 'article':
      return `article ${change.article.articleId}`;
    case 'article-deleted':
      return `deleted article ${change.articleId}`;
    case 'follow':
      return `follow ${change.pair.followerId} → ${change.pair.followeeId}`;
    case 'favorite':
      return `favourite ${change.pair.userId} → ${change.pair.articleId}`;
    case 'comment':
      return `comment ${change.comment.commentId}`;
    case 'comment-deleted':
      return `deleted comment ${change.commentId}`;
  }
}
