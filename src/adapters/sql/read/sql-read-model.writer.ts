import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../../../application/read-side/read-model-changes.js';
import type { CounterDelta } from '../../../application/read-side/read-model-rules.js';
import type { ReadModelWriter } from '../../../application/read-side/read-model.writer.js';
import type { SqlDatabase, SqlExecutor } from '../sql-database.js';
import { readTables, type ReadTables } from './read-tables.js';
import { deleteArticle, rewriteArticleInPlace, upsertArticle } from './sql-article-projection.js';
import { addComment, deleteComment, upsertUser } from './sql-content-projection.js';
import { foldPendingCounts, recordDeltas } from './sql-pending-counts.js';
import type { ProjectionStep } from './sql-projection-step.js';
import { SqlReadContext } from './sql-read-context.js';
import { setFavorite, setFollow } from './sql-relationship-projection.js';

/**
 * The first key of the two-key advisory locks this writer takes ("rm"), so they cannot
 * collide with advisory locks taken elsewhere on the same database.
 */
const ARTICLE_LOCK_SPACE = 0x726d;

/**
 * The advisory locks a change runs under, by key: its article's, exclusive for what rewrites
 * the article (upsert, deletion) and shared for what only adds to it (a comment, a
 * favourite: many may be projected at once, none while the article is rewritten or
 * deleted); and a favourite's pair, exclusive, so that the prior state of the pair it reads
 * is the one it replaces.
 */
const locksOf = (change: ReadModelChange): readonly (readonly [key: string, exclusive: boolean])[] => {
  switch (change.kind) {
    case 'article':
      return [[change.article.articleId, true]];
    case 'article-deleted':
      return [[change.articleId, true]];
    case 'favorite':
      return [
        [change.pair.articleId, false],
        [`favorite:${change.pair.userId}:${change.pair.articleId}`, true],
      ];
    case 'comment':
      return [[change.comment.articleId, false]];
    default:
      return [];
  }
};

/**
 * Whether a change alone in its batch goes as ONE statement that takes no lock, with no
 * transaction (BEGIN and COMMIT would be two more round trips, and on PGlite they hold its
 * one session between them): a follow and a comment's deletion anywhere (each an upsert or
 * delete guarded by its own row, moving no count); where transactions run one after the
 * other (PGlite), so nothing can run beside it, a comment, and a favourite with its count
 * deltas in the same statement (`setFavorite`'s `inline`). An article
 * change first tries `rewriteArticleInPlace`, also one statement, and falls back to the
 * transaction when counts may move.
 */
const goesAlone = (change: ReadModelChange, serial: boolean): boolean =>
  change.kind === 'follow' ||
  change.kind === 'comment-deleted' ||
  (serial && (change.kind === 'comment' || change.kind === 'favorite'));

/** Folding pending count deltas: at most this often per generation and writer (sql-pending-counts.ts). */
const FOLD_EVERY_MS = 100;

/**
 * Projects into the read tables of one generation: the active one (the live projector, as
 * bound in the container) or a fixed one (`SqlReadModelGenerations.writerFor`, a rebuild).
 *
 * A batch of changes is ONE transaction (some lone changes: one statement, `goesAlone`;
 * on PGlite, a batch of only such changes: their statements one by one):
 * all of it is applied or none (the projector then
 * applies the changes one by one to find the failing one). Inside it:
 * 1. the advisory locks of every article (and favourite pair) the batch touches, taken at
 *    once in a sorted order, so two batches never wait for each other in a cycle, and every
 *    change sees all that the previous holder of what it rewrites committed — which makes
 *    the prior state each one reads the state it replaces (on PostgreSQL: PGlite runs its
 *    transactions one after the other, which orders them all);
 * 2. each change's own statements (version guards and tombstones in the statements);
 * 3. the count deltas of the whole batch (read-model-rules.ts: from the stored state before
 *    and after each change), summed and appended in one statement: they wait on no other
 *    writer, and are folded into the counters after the commit, now and then.
 */
export class SqlReadModelWriter implements ReadModelWriter {
  private readonly foldDue = new Map<string, number>();

  constructor(
    private readonly db: SqlDatabase,
    /** The tables to write: resolved per batch, before its transaction opens. */
    private readonly target: () => Promise<ReadTables>,
    /** How often, at most, a fold starts; Infinity: never (tests that count a projection's own statements). */
    private readonly foldEveryMs = FOLD_EVERY_MS,
  ) {}

  /** A writer that fills one given generation (a rebuild), active or not. */
  static forGeneration(db: SqlDatabase, generation: string, foldEveryMs = FOLD_EVERY_MS): SqlReadModelWriter {
    const tables = readTables(generation);
    return new SqlReadModelWriter(db, async () => tables, foldEveryMs);
  }

  async apply(changes: readonly ReadModelChange[]): Promise<void> {
    if (changes.length === 0) return;
    // Resolved before the transaction opens: on PGlite a query awaited inside an open
    // transaction other than through it would wait for that transaction forever.
    const t = await this.target();
    // PGlite runs one transaction at a time (its transaction lock is held from BEGIN to
    // COMMIT, and its data folder is locked to one process): nothing can interleave there,
    // so the advisory locks would cost a statement per batch and order nothing.
    const serial = this.db.kind === 'pglite';
    const [only] = changes;
    // A favourite applied alone appends count deltas too (`inline`): they are folded as a batch's are.
    const foldFavouriteDeltas = (): void => {
      if (changes.some((change) => change.kind === 'favorite')) this.foldNow(t);
    };
    if (changes.length === 1 && only !== undefined && (await this.appliedAlone(only, t, serial))) return foldFavouriteDeltas();
    // Where transactions run one after the other, a batch made only of such changes goes as
    // their statements one by one: each is atomic and idempotent, so a failure part-way
    // leaves applied changes that applying them again (the projector's one-by-one retry)
    // leaves as they are.
    if (serial && changes.every((change) => goesAlone(change, serial))) {
      for (const change of changes) await this.appliedAlone(change, t, serial);
      return foldFavouriteDeltas();
    }
    // Relaxed durability: a crash may undo a batch only while its events are still queued
    // (their acknowledgement comes later), so they are applied again.
    await this.db.relaxed.transaction(async (tx) => {
      if (!serial) await lockArticles(tx, t, changes);
      const deltas: CounterDelta[] = [];
      const step: ProjectionStep = { tx, t, deltas };
      for (const change of changes) await applyChange(step, change);
      await recordDeltas(tx, t, deltas);
    });
    this.foldNow(t);
  }

  /** Applies a lone change by one statement outside a transaction, if it can go so (`goesAlone`). */
  private async appliedAlone(change: ReadModelChange, t: ReadTables, serial: boolean): Promise<boolean> {
    const tx = this.db.relaxed;
    // Version 1 is the article's publication: never stored before, so never rewritten in place.
    if (change.kind === 'article') return change.version > 1 && rewriteArticleInPlace({ tx, t }, change.article, change.version);
    if (!goesAlone(change, serial)) return false;
    const step: ProjectionStep = { tx, t, deltas: [] };
    if (change.kind === 'favorite') await setFavorite(step, change.pair, change.active, change.version, true);
    else await applyChange(step, change);
    if (step.deltas.length > 0) throw new Error(`a ${change.kind} change moved counts: it cannot go without a transaction`);
    return true;
  }

  /** Starts a fold of the generation's pending counts when one is due; never awaited, never fails the batch. */
  private foldNow(t: ReadTables): void {
    const now = performance.now();
    if (this.foldEveryMs === Infinity || now < (this.foldDue.get(t.generation) ?? 0)) return;
    this.foldDue.set(t.generation, now + this.foldEveryMs);
    // A fold that fails (the database went away, the process is closing) leaves the deltas
    // pending, which reads count: the next fold takes them.
    foldPendingCounts(this.db, t).catch(() => undefined);
  }
}

function applyChange(step: ProjectionStep, change: ReadModelChange): Promise<void> {
  switch (change.kind) {
    case 'user':
      return upsertUser(step, change.user, change.version);
    case 'follow':
      return setFollow(step, change.pair, change.active, change.version);
    case 'article':
      return upsertArticle(step, change.article, change.version);
    case 'article-deleted':
      return deleteArticle(step, change.articleId, change.version);
    case 'favorite':
      return setFavorite(step, change.pair, change.active, change.version);
    case 'comment':
      return addComment(step, change.comment);
    case 'comment-deleted':
      return deleteComment(step, change.commentId);
  }
}

/**
 * Per generation: a rebuild filling a new generation never waits for the live projector.
 * One lock per key hash (exclusive when any of its keys is), in hash order.
 */
async function lockArticles(tx: SqlExecutor, t: ReadTables, changes: readonly ReadModelChange[]): Promise<void> {
  const locks = new Map<string, boolean>();
  for (const change of changes) for (const [key, exclusive] of locksOf(change)) locks.set(key, exclusive || locks.get(key) === true);
  if (locks.size === 0) return;
  await tx.query(
    `select count(case when ex then pg_advisory_xact_lock($1::int, h) end)
            + count(case when not ex then pg_advisory_xact_lock_shared($1::int, h) end)
       from (select hashtext($2::text || ':' || k) as h, bool_or(ex) as ex
               from unnest($3::text[], $4::boolean[]) as d(k, ex) group by 1 order by 1) as keys`,
    [ARTICLE_LOCK_SPACE, t.generation, [...locks.keys()], [...locks.values()]],
  );
}

/** The live projector's writer: the generation this process serves. */
@injectable()
export class LiveSqlReadModelWriter extends SqlReadModelWriter {
  constructor(@inject(SqlReadContext) read: SqlReadContext) {
    super(read.db, () => read.tables());
  }
}
