import { counterKey, type CounterDelta } from '../../../application/read-side/read-model-rules.js';
import type { SqlDatabase, SqlExecutor } from '../sql-database.js';
import type { ReadTables } from './read-tables.js';

/**
 * Maintained counts without a hot row. A projection does not update the counters its
 * changes move (a tag's article count, all articles, an author's, a user's favourites, an
 * article's favourites): it appends the deltas to `rm_count_deltas`, an insert-only table
 * no two writers ever wait on. Every read of a count adds the deltas still pending for it,
 * so counts stay exact and a writer reads its own; and now and then one process folds the
 * pending deltas into the counters, in one statement, alone (an advisory lock), so the
 * pending rows stay few.
 *
 * Before, concurrent projections of creates all updated the row of `articles` and of their
 * tags, and each held those rows until its commit: writers queued on them (66 ms of a
 * create's 85 ms of database time under 50 connections).
 */

/** What a pending delta counts: `tag` (key: the tag), `count` (key: counterKey), `favorites` (key: the article id). */
type PendingKind = 'tag' | 'count' | 'favorites';

const kindAndKey = ({ counter }: CounterDelta): [PendingKind, string] => {
  if (counter.kind === 'tag') return ['tag', counter.tag];
  if (counter.kind === 'favorites') return ['favorites', counter.articleId];
  return ['count', counterKey(counter)];
};

/** Deltas summed per counter, as the columns of `count_deltas` rows (kind, key, n), none where they cancel out. */
export function deltaColumns(deltas: readonly CounterDelta[]): [kinds: string[], keys: string[], ns: number[]] {
  const sums = new Map<string, { kind: PendingKind; key: string; n: number }>();
  for (const delta of deltas) {
    const [kind, key] = kindAndKey(delta);
    const id = `${kind}\u0000${key}`;
    const sum = sums.get(id) ?? { kind, key, n: 0 };
    sums.set(id, { ...sum, n: sum.n + delta.delta });
  }
  const rows = [...sums.values()].filter((row) => row.n !== 0);
  return [rows.map((row) => row.kind), rows.map((row) => row.key), rows.map((row) => row.n)];
}

/** The batch's deltas, summed per counter, appended in one statement (none when they cancel out). */
export async function recordDeltas(tx: SqlExecutor, t: ReadTables, deltas: readonly CounterDelta[]): Promise<void> {
  const columns = deltaColumns(deltas);
  if (columns[0].length === 0) return;
  await tx.query(`insert into ${t.countDeltas} (kind, key, n) select * from unnest($1::text[], $2::text[], $3::int[])`, columns);
}

/** The first key of the fold's advisory lock ("cf"); the second is the generation's hash. */
const FOLD_LOCK_SPACE = 0x6366;

/**
 * Moves the pending deltas into the counters, if no other process is folding this
 * generation now. One statement after the lock, so a reader sees the deltas either still
 * pending or already in their counters, never both nor neither. An article's favourites
 * are folded only when its row can be locked at once (a projection of that article holds it
 * otherwise: the next fold takes them); those of a deleted article are dropped with it.
 * Answers how many deltas moved (0 when another process holds the fold).
 */
export async function foldPendingCounts(db: SqlDatabase, t: ReadTables): Promise<number> {
  return db.relaxed.transaction(async (tx) => {
    const [lock] = await tx.query<{ got: boolean }>(`select pg_try_advisory_xact_lock($1::int, hashtext($2)) as got`, [
      FOLD_LOCK_SPACE,
      t.generation,
    ]);
    if (!lock?.got) return 0;
    const [outcome] = await tx.query<{ moved: number }>(
      `with target as (
         select a.id from ${t.articles} a
          where a.id in (select key from ${t.countDeltas} where kind = 'favorites')
          order by a.id for update skip locked),
       moved as (
         delete from ${t.countDeltas} d
          where d.kind <> 'favorites' or d.key in (select id from target)
             or not exists (select 1 from ${t.articles} a where a.id = d.key)
         returning kind, key, n),
       sums as (select kind, key, sum(n)::int as n from moved group by kind, key having sum(n) <> 0),
       tags as (
         insert into ${t.tags} as g (tag, article_count) select key, n from sums where kind = 'tag'
         on conflict (tag) do update set article_count = g.article_count + excluded.article_count),
       counts as (
         insert into ${t.counts} as c (key, n) select key, n from sums where kind = 'count'
         on conflict (key) do update set n = c.n + excluded.n),
       favorites as (
         update ${t.articles} a set favorites_count = a.favorites_count + s.n
           from sums s where s.kind = 'favorites' and a.id = s.key)
       select count(*)::int as moved from moved`,
    );
    return outcome?.moved ?? 0;
  });
}

/** SQL for the deltas pending for one counter: `keyExpression` is SQL (a parameter, or a column). */
export const pendingSum = (t: ReadTables, kind: PendingKind, keyExpression: string): string =>
  `coalesce((select sum(p.n) from ${t.countDeltas} p where p.kind = '${kind}' and p.key = ${keyExpression}), 0)`;
