import type { Result } from 'ts-results-es';
import type { Article } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

/**
 * The write model of articles. `save` inserts a new article, updates a changed one only
 * where its stored version is still `persistedVersion` (else CONCURRENT_UPDATE), or
 * deletes a deleted one (with its comments and favourites) — always with its events, in
 * one transaction.
 */
export interface ArticleRepository {
  findBySlug(slug: string): Promise<Article | null>;
  findById(id: string): Promise<Article | null>;
  isSlugTaken(slug: string, exceptArticleId?: string): Promise<boolean>;
  save(article: Article): Promise<Result<void, SaveConflict>>;
}
export const ArticleRepository = Symbol.for('ArticleRepository');
