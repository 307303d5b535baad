import { inject, injectable } from 'inversify';
import type { ArticleFilter, ArticleReadStore } from '../../application/articles/article.read-store.js';
import type { StoredArticle, StoredArticleSummary } from '../../application/read-model/stored.js';
import type { Page, Paged } from '../../application/shared/ports.js';
import { Username } from '../../domain/index.js';
import { compareCodePoints, InMemoryReadDatabase, type MemoryArticle } from './in-memory-read-store.js';

/** Newest first, then id descending (the SQL store's `created_at desc, id desc`). */
const newestFirst = (a: MemoryArticle, b: MemoryArticle): number =>
  b.createdAtMs - a.createdAtMs || compareCodePoints(b.id, a.id);

@injectable()
export class InMemoryArticleReadStore implements ArticleReadStore {
  constructor(@inject(InMemoryReadDatabase) private readonly db: InMemoryReadDatabase) {}

  async findBySlug(slug: string): Promise<StoredArticle | null> {
    const id = this.db.articleIdsBySlug.get(slug);
    const article = id === undefined ? undefined : this.db.articles.get(id);
    return article ? this.db.storedArticle(article) : null;
  }

  async list(filter: ArticleFilter, page: Page): Promise<Paged<StoredArticleSummary>> {
    const tests: ((article: MemoryArticle) => boolean)[] = [];
    if (filter.tag !== undefined) {
      const tag = filter.tag;
      tests.push((a) => a.tagList.includes(tag));
    }
    if (filter.authorKey !== undefined) {
      const authorId = this.db.userIdsByKey.get(Username.keyOf(filter.authorKey));
      tests.push((a) => a.authorId === authorId);
    }
    if (filter.favoritedByKey !== undefined) {
      const userId = this.db.userIdsByKey.get(Username.keyOf(filter.favoritedByKey));
      tests.push((a) => userId !== undefined && this.db.favorites.get(a.id)?.get(userId)?.active === true);
    }
    return this.page((a) => tests.every((test) => test(a)), page);
  }

  async feed(followerId: string, page: Page): Promise<Paged<StoredArticleSummary>> {
    const followed = this.db.follows.get(followerId);
    return this.page((a) => followed?.get(a.authorId)?.active === true, page);
  }

  async tags(): Promise<string[]> {
    return [...this.db.tagCounts]
      .sort(([tagA, countA], [tagB, countB]) => countB - countA || compareCodePoints(tagA, tagB))
      .map(([tag]) => tag);
  }

  private page(matches: (article: MemoryArticle) => boolean, page: Page): Paged<StoredArticleSummary> {
    const all = [...this.db.articles.values()].filter(matches).sort(newestFirst);
    const items = all.slice(page.offset, page.offset + page.limit).map((article) => {
      const { body: _body, ...summary } = this.db.storedArticle(article);
      return summary;
    });
    return { items, total: all.length };
  }
}
