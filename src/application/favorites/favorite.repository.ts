import type { Result } from 'ts-results-es';
import type { Favorite } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

/** A pair as stored, and the article's favourites count as the write model keeps it. */
export interface StoredFavorite {
  /** Active or not; null when the article was never favourited by the user. */
  readonly favorite: Favorite | null;
  readonly favoritesCount: number;
}

export interface FavoriteRepository {
  find(userId: string, articleId: string): Promise<StoredFavorite>;
  /**
   * Writes the pair and its events in one transaction, keeping the article's favourites
   * count exact in the same step, and answers the count after the write.
   */
  save(favorite: Favorite): Promise<Result<{ readonly favoritesCount: number }, SaveConflict>>;
}
export const FavoriteRepository = Symbol.for('FavoriteRepository');
