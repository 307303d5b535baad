import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { FavoriteRepository, StoredFavorite } from '../../application/favorites/favorite.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import { Favorite } from '../../domain/index.js';
import { pairKey } from './in-memory-tables.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** The in-memory twin of SqlFavoriteRepository (same contract suite), the article's count kept with the pair. */
@injectable()
export class InMemoryFavoriteRepository implements FavoriteRepository {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async find(userId: string, articleId: string): Promise<StoredFavorite> {
    const row = this.store.favorites.get(pairKey(userId, articleId));
    return {
      favorite: row === null ? null : Favorite.rehydrate(row),
      favoritesCount: this.store.favoritesCount.get(articleId) ?? 0,
    };
  }

  async save(favorite: Favorite): Promise<Result<{ readonly favoritesCount: number }, SaveConflict>> {
    const { favoritesCount } = this.store;
    const row = favorite.snapshot();
    const saved = this.store.save(
      favorite,
      'favorite',
      () => {
        const check = this.store.checkPair(this.store.favorites, favorite, [
          [this.store.users, row.userId, 'favorites_user_id_foreign'],
          [this.store.articles, row.articleId, 'favorites_article_id_foreign'],
        ]);
        if (check.kind !== 'ok') return check;
        return {
          kind: 'ok',
          apply: () => {
            check.apply();
            favoritesCount.set(row.articleId, (favoritesCount.get(row.articleId) ?? 0) + (row.active ? 1 : -1));
          },
        };
      },
      () => null,
    );
    if (saved.isErr()) return Err(saved.error);
    return Ok({ favoritesCount: favoritesCount.get(row.articleId) ?? 0 });
  }
}
