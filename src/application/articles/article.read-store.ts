import type { Page, Paged } from '../shared/ports.js';
import type { StoredArticle, StoredArticleSummary } from '../read-model/stored.js';

/** Filters of the article list; all given filters apply together. Usernames as keys (lower case). */
export interface ArticleFilter {
  readonly tag?: string;
  readonly authorKey?: string;
  readonly favoritedByKey?: string;
}

/**
 * Lists are ordered newest first (createdAt descending, then id descending so pages are
 * stable) and `total` counts every match, not just the page.
 */
export interface ArticleReadStore {
  findBySlug(slug: string): Promise<StoredArticle | null>;
  list(filter: ArticleFilter, page: Page): Promise<Paged<StoredArticleSummary>>;
  /** Articles whose authors `followerId` follows. */
  feed(followerId: string, page: Page): Promise<Paged<StoredArticleSummary>>;
  /** Tags in use, most used first, then alphabetically. */
  tags(): Promise<string[]>;
}
export const ArticleReadStore = Symbol.for('ArticleReadStore');
