import type { Result } from 'ts-results-es';
import type { Article } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

/**
 * The write model of articles. `save` inserts a new article, updates a changed one only
 * where its stored version is still `persistedVersion` (else CONCURRENT_UPDATE), or
 * deletes a deleted one (with its comments and favourites) — always with its events, in
 * one transaction. A slug another article holds answers ARTICLE.SLUG_TAKEN: handlers assume
 * a title's slug is free and learn otherwise from the unique constraint, so the common
 * case costs no look-up.
 */
export interface ArticleRepository {
  findBySlug(slug: string): Promise<Article | null>;
  findById(id: string): Promise<Article | null>;
  save(article: Article): Promise<Result<void, SaveConflict>>;
}
export const ArticleRepository = Symbol.for('ArticleRepository');
