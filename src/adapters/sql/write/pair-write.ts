import type { Favorite, Follow } from '../../../domain/index.js';
import type { RowWrite } from './save-with-events.js';
import { iso } from './sql-write-context.js';

/**
 * A switched pair's row write (follows, favourites), one row per pair kept when switched
 * off: an upsert guarded by the version the pair was loaded with (0 for a new pair), so a
 * concurrent first switch of the same pair finds the row there and comes back as
 * CONCURRENT_UPDATE. Uses `$1…$6`; further CTEs may add parameters from `$7`.
 */
export function pairWrite(
  table: 'follows' | 'favorites',
  keyColumns: readonly [string, string],
  pair: Follow | Favorite,
  ids: readonly [string, string],
): RowWrite {
  const [first, second] = keyColumns;
  const s = pair.snapshot();
  return {
    ctes: [
      `written as (insert into ${table} as f (${first}, ${second}, active, version, updated_at)
                   values ($1, $2, $3, $4, $5)
                   on conflict (${first}, ${second}) do update
                     set active = excluded.active, version = excluded.version, updated_at = excluded.updated_at
                     where f.version = $6
                   returning 1)`,
    ],
    params: [...ids, s.active, s.version, iso(s.updatedAt), pair.persistedVersion],
  };
}
