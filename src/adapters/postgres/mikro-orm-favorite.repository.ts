import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { FavoriteRepository } from '../../application/favorites/favorite.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import type { Favorite } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';
import { saveWithEvents } from './outbox.js';
import { fromFavoriteRecord, toFavoriteRecord, FavoriteRecord } from './records/favorite.record.js';
import { isUuid } from './records/keys.js';

/**
 * Favourite pairs in `favorites`, one row per (user, article): a concurrent second insert
 * of the same pair hits the primary key and comes back as DUPLICATE, which keeps the
 * count of active favourites exact.
 */
@injectable()
export class MikroOrmFavoriteRepository implements FavoriteRepository {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  async find(userId: string, articleId: string): Promise<Favorite | null> {
    if (!isUuid(userId) || !isUuid(articleId)) return null;
    const record = await this.orm.em.fork().findOne(FavoriteRecord, { userId, articleId });
    return record === null ? null : fromFavoriteRecord(record);
  }

  save(favorite: Favorite): Promise<Result<void, SaveConflict>> {
    return saveWithEvents(this.orm, favorite, 'favorite', async (tx) => {
      const { userId, articleId, ...changes } = toFavoriteRecord(favorite);
      if (favorite.isNew) {
        await tx.insert(FavoriteRecord, { userId, articleId, ...changes });
        return true;
      }
      const where = { userId, articleId, version: favorite.persistedVersion };
      return (await tx.nativeUpdate(FavoriteRecord, where, changes)) === 1;
    });
  }
}
