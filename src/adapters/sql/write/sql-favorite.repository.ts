import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { FavoriteRepository, StoredFavorite } from '../../../application/favorites/favorite.repository.js';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import { Favorite } from '../../../domain/index.js';
import { isUuid } from './records/keys.js';
import { pairWrite } from './pair-write.js';
import { saveWithEvents } from './save-with-events.js';
import { SqlWriteContext } from './sql-write-context.js';

/**
 * The shard of a user's favourites in `article_favorite_counts` (migration 0008): the value
 * of the id's last hex digit, random in every id this application makes (UUIDv7).
 */
export const favoriteCountShard = (userId: string): number => Number.parseInt(userId.slice(-1), 16);

/**
 * Favourite pairs in `favorites`, one row per (user, article), kept when switched off, and
 * the article's favourites count in `article_favorite_counts`, moved in the same statement
 * as the pair: exact under any concurrency (each switch records exactly one event and moves
 * the count by exactly one), and no favourite ever counts rows. The count is split into
 * sixteen shards by the user's id, so concurrent favourites of one popular article do not
 * queue on one row's lock; it is the sum of at most sixteen rows.
 */
@injectable()
export class SqlFavoriteRepository implements FavoriteRepository {
  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  async find(userId: string, articleId: string): Promise<StoredFavorite> {
    if (!isUuid(articleId)) return { favorite: null, favoritesCount: 0 };
    const [row] = await this.context.db.query<{
      favorites_count: number | string | null;
      active: boolean | null;
      version: number | null;
      updated_at: Date | string | null;
    }>(
      `select (select sum(c.n) from article_favorite_counts c where c.article_id = a.id) as favorites_count,
              f.active, f.version, f.updated_at
         from articles a left join favorites f on f.article_id = a.id and f.user_id = $1::uuid
        where a.id = $2`,
      [isUuid(userId) ? userId : null, articleId],
    );
    if (row === undefined) return { favorite: null, favoritesCount: 0 };
    const favorite =
      row.active === null || row.version === null || row.updated_at === null
        ? null
        : Favorite.rehydrate({ userId, articleId, active: row.active, version: row.version, updatedAt: new Date(row.updated_at) });
    return { favorite, favoritesCount: Number(row.favorites_count ?? 0) };
  }

  async save(favorite: Favorite): Promise<Result<{ readonly favoritesCount: number }, SaveConflict>> {
    const s = favorite.snapshot();
    const saved = await saveWithEvents(this.context, favorite, 'favorite', () => {
      const pair = pairWrite('favorites', ['user_id', 'article_id'], favorite, [s.userId, s.articleId]);
      return {
        ctes: [
          ...pair.ctes,
          // The other shards as this statement sees them, its own shard as it left it.
          `counted as (insert into article_favorite_counts as c (article_id, shard, n)
                        select $2::uuid, $8::smallint, $7::integer where exists (select 1 from written)
                        on conflict (article_id, shard) do update set n = c.n + excluded.n
                        returning n)`,
        ],
        params: [...pair.params, s.active ? 1 : -1, favoriteCountShard(s.userId)],
        answer: `(select n from counted)
                 + coalesce((select sum(o.n) from article_favorite_counts o where o.article_id = $2 and o.shard <> $8::smallint), 0)
                 as favorites_count`,
      };
    });
    if (saved.isErr()) return Err(saved.error);
    return Ok({ favoritesCount: Number(saved.value.answer.favorites_count ?? 0) });
  }
}
