import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { FavoriteRepository } from '../../application/favorites/favorite.repository.js';
import { duplicate, type SaveConflict } from '../../application/shared/persistence.js';
import { Favorite, type FavoriteState } from '../../domain/index.js';
import { InMemoryWriteStore, pairKey } from './in-memory-write-store.js';

const toRow = (favorite: Favorite): FavoriteState => {
  const s = favorite.snapshot();
  return { userId: s.userId, articleId: s.articleId, active: s.active, version: s.version, updatedAt: s.updatedAt };
};

/** The in-memory twin of MikroOrmFavoriteRepository (same contract suite). */
@injectable()
export class InMemoryFavoriteRepository implements FavoriteRepository {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async find(userId: string, articleId: string): Promise<Favorite | null> {
    const row = this.store.favorites.get(pairKey(userId, articleId));
    return row === null ? null : Favorite.rehydrate(row);
  }

  async save(favorite: Favorite): Promise<Result<void, SaveConflict>> {
    const { favorites, users, articles } = this.store;
    return this.store.save(
      favorite,
      'favorite',
      () => {
        const row = toRow(favorite);
        if (!favorite.isNew) return favorites.checkUpdate(row, favorite.persistedVersion);
        this.store.requireRow(users, row.userId, 'favorites_user_id_foreign');
        this.store.requireRow(articles, row.articleId, 'favorites_article_id_foreign');
        return favorites.checkInsert(row);
      },
      (constraint) => (constraint === 'favorites_pkey' ? duplicate('favorite') : null),
    );
  }
}
