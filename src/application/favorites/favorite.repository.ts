import type { Result } from 'ts-results-es';
import type { Favorite } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

export interface FavoriteRepository {
  /** The stored pair, active or not; null when the article was never favourited by the user. */
  find(userId: string, articleId: string): Promise<Favorite | null>;
  save(favorite: Favorite): Promise<Result<void, SaveConflict>>;
}
export const FavoriteRepository = Symbol.for('FavoriteRepository');
