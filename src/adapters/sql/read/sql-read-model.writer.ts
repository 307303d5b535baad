import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../../../application/read-side/read-model-changes.js';
import { counterKey, type CounterDelta } from '../../../application/read-side/read-model-rules.js';
import type { ReadModelWriter } from '../../../application/read-side/read-model.writer.js';
import type { SqlDatabase, SqlExecutor } from '../sql-database.js';
import { readTables, type ReadTables } from './read-tables.js';
import { deleteArticle, upsertArticle } from './sql-article-projection.js';
import { addComment, deleteComment, upsertUser } from './sql-content-projection.js';
import type { ProjectionStep } from './sql-projection-step.js';
import { SqlReadContext } from './sql-read-context.js';
import { setFavorite, setFollow } from './sql-relationship-projection.js';

/**
 * The first key of the two-key advisory locks this writer takes ("rm"), so they cannot
 * collide with advisory locks taken elsewhere on the same database.
 */
const ARTICLE_LOCK_SPACE = 0x726d;

/** The article a change concerns, when it must run under that article's lock. */
const lockedArticle = (change: ReadModelChange): string | null => {
  switch (change.kind) {
    case 'article':
      return change.article.articleId;
    case 'article-deleted':
      return change.articleId;
    case 'favorite':
      return change.pair.articleId;
    case 'comment':
      return change.comment.articleId;
    default:
      return null;
  }
};

/**
 * Projects into the read tables of one generation: the active one (the live projector, as
 * bound in the container) or a fixed one (`SqlReadModelGenerations.writerFor`, a rebuild).
 *
 * A batch of changes is ONE transaction: all of it is applied or none (the projector then
 * applies the changes one by one to find the failing one). Inside it:
 * 1. the advisory locks of every article the batch touches, taken at once in a sorted order,
 *    so two batches never wait for each other in a cycle, and every change of an article
 *    (upsert, deletion, favourite, comment) sees all that the previous holder committed —
 *    which makes the prior state each one reads the state it replaces;
 * 2. each change's own statements (version guards and tombstones in the statements);
 * 3. the count deltas of the whole batch (read-model-rules.ts: from the stored state before
 *    and after each change), summed and applied in one statement in key order.
 */
export class SqlReadModelWriter implements ReadModelWriter {
  constructor(
    private readonly db: SqlDatabase,
    /** The tables to write: resolved per batch, before its transaction opens. */
    private readonly target: () => Promise<ReadTables>,
  ) {}

  /** A writer that fills one given generation (a rebuild), active or not. */
  static forGeneration(db: SqlDatabase, generation: string): SqlReadModelWriter {
    const tables = readTables(generation);
    return new SqlReadModelWriter(db, async () => tables);
  }

  async apply(changes: readonly ReadModelChange[]): Promise<void> {
    if (changes.length === 0) return;
    // Resolved before the transaction opens: on PGlite a query awaited inside an open
    // transaction other than through it would wait for that transaction forever.
    const t = await this.target();
    // Relaxed durability: a crash may undo a batch only while its events are still queued
    // (their acknowledgement comes later), so they are applied again.
    await this.db.relaxed.transaction(async (tx) => {
      await lockArticles(tx, t, changes);
      const deltas: CounterDelta[] = [];
      const step: ProjectionStep = { tx, t, deltas };
      for (const change of changes) await applyChange(step, change);
      await applyDeltas(tx, t, deltas);
    });
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

/** Per generation: a rebuild filling a new generation never waits for the live projector. */
async function lockArticles(tx: SqlExecutor, t: ReadTables, changes: readonly ReadModelChange[]): Promise<void> {
  const ids = [...new Set(changes.map(lockedArticle).filter((id): id is string => id !== null))].sort();
  if (ids.length === 0) return;
  await tx.query(
    `select count(pg_advisory_xact_lock($1::int, hashtext(k))) from
       (select $2::text || ':' || id as k from unnest($3::text[]) as id order by hashtext($2::text || ':' || id)) as keys`,
    [ARTICLE_LOCK_SPACE, t.generation, ids],
  );
}

/**
 * The batch's deltas, summed per counter, in one statement: tags (a tag at zero stays, and
 * is not listed), the other counts by key, and the articles' favourite counts. Rows are
 * written in key order, so concurrent batches lock shared counters in the same order.
 */
async function applyDeltas(tx: SqlExecutor, t: ReadTables, deltas: readonly CounterDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const tags = new Map<string, number>();
  const counts = new Map<string, number>();
  const favorites = new Map<string, number>();
  for (const { counter, delta } of deltas) {
    if (counter.kind === 'tag') tags.set(counter.tag, (tags.get(counter.tag) ?? 0) + delta);
    else if (counter.kind === 'favorites') favorites.set(counter.articleId, (favorites.get(counter.articleId) ?? 0) + delta);
    else counts.set(counterKey(counter), (counts.get(counterKey(counter)) ?? 0) + delta);
  }
  const sorted = (map: Map<string, number>) => [...map].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const [tagRows, countRows, favoriteRows] = [sorted(tags), sorted(counts), sorted(favorites)];
  if (tagRows.length + countRows.length + favoriteRows.length === 0) return;
  await tx.query(
    `with tags as (
       insert into ${t.tags} as g (tag, article_count)
       select tag, n from unnest($1::text[], $2::int[]) as d(tag, n)
       on conflict (tag) do update set article_count = g.article_count + excluded.article_count),
     counts as (
       insert into ${t.counts} as c (key, n)
       select key, n from unnest($3::text[], $4::int[]) as d(key, n)
       on conflict (key) do update set n = c.n + excluded.n),
     favorites as (
       update ${t.articles} a set favorites_count = a.favorites_count + d.n
         from unnest($5::text[], $6::int[]) as d(id, n) where a.id = d.id)
     select 1`,
    [
      tagRows.map(([tag]) => tag),
      tagRows.map(([, n]) => n),
      countRows.map(([key]) => key),
      countRows.map(([, n]) => n),
      favoriteRows.map(([id]) => id),
      favoriteRows.map(([, n]) => n),
    ],
  );
}

/** The live projector's writer: the generation this process serves. */
@injectable()
export class LiveSqlReadModelWriter extends SqlReadModelWriter {
  constructor(@inject(SqlReadContext) read: SqlReadContext) {
    super(read.db, () => read.tables());
  }
}
