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
 * Favourite pairs in `favorites`, one row per (user, article), kept when switched off, and
 * the article's `favorites_count`, changed in the same statement as the pair: the count is
 * exact under any concurrency (each switch records exactly one event and moves the count
 * by exactly one) and no favourite ever counts rows.
 */
@injectable()
export class SqlFavoriteRepository implements FavoriteRepository {
  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  async find(userId: string, articleId: string): Promise<StoredFavorite> {
    if (!isUuid(articleId)) return { favorite: null, favoritesCount: 0 };
    const [row] = await this.context.db.query<{
      favorites_count: number;
      active: boolean | null;
      version: number | null;
      updated_at: Date | string | null;
    }>(
      `select a.favorites_count, f.active, f.version, f.updated_at
         from articles a left join favorites f on f.article_id = a.id and f.user_id = $1::uuid
        where a.id = $2`,
      [isUuid(userId) ? userId : null, articleId],
    );
    if (row === undefined) return { favorite: null, favoritesCount: 0 };
    const favorite =
      row.active === null || row.version === null || row.updated_at === null
        ? null
        : Favorite.rehydrate({ userId, articleId, active: row.active, version: row.version, updatedAt: new Date(row.updated_at) });
    return { favorite, favoritesCount: row.favorites_count };
  }

  async save(favorite: Favorite): Promise<Result<{ readonly favoritesCount: number }, SaveConflict>> {
    const s = favorite.snapshot();
    const saved = await saveWithEvents(this.context, favorite, 'favorite', () => {
      const pair = pairWrite('favorites', ['user_id', 'article_id'], favorite, [s.userId, s.articleId]);
      return {
        ctes: [
          ...pair.ctes,
          `counted as (update articles set favorites_count = favorites_count + $7
                        where id = $2 and exists (select 1 from written) returning favorites_count)`,
        ],
        params: [...pair.params, s.active ? 1 : -1],
        answer: '(select favorites_count from counted) as favorites_count',
      };
    });
    if (saved.isErr()) return Err(saved.error);
    return Ok({ favoritesCount: Number(saved.value.answer.favorites_count ?? 0) });
  }
}
