import type { Page, Paged } from '../shared/ports.js';
import type { ArticleReadModel, ArticleSummaryReadModel } from './read-models.js';

/**
 * Filters of the article list; all given filters apply together. The tag is in its one
 * normalised form (domain `normalizeTag`), usernames as keys (`Username.keyOf`).
 */
export interface ArticleFilter {
  readonly tag?: string;
  readonly authorKey?: string;
  readonly favoritedByKey?: string;
}

/**
 * Lists are ordered newest first (createdAt descending, then id descending so pages are
 * stable). `total` counts every match, not just the page, and costs no scan: a single
 * filter (or none) reads a count the projections maintain; the feed adds up the counts of
 * the followed authors; only a combination of filters counts rows, and only within the
 * narrowest maintained set it names.
 */
export interface ArticleReadStore {
  findBySlug(slug: string): Promise<ArticleReadModel | null>;
  list(filter: ArticleFilter, page: Page): Promise<Paged<ArticleSummaryReadModel>>;
  /** Articles whose authors `followerId` follows. */
  feed(followerId: string, page: Page): Promise<Paged<ArticleSummaryReadModel>>;
  /** Tags in use, most used first, then alphabetically. */
  tags(): Promise<string[]>;
}
export const ArticleReadStore = Symbol.for('ArticleReadStore');
