import { inject, injectable } from 'inversify';
import type { ArticleFilter, ArticleReadStore } from '../../application/articles/article.read-store.js';
import type { StoredArticle, StoredArticleSummary } from '../../application/read-model/stored.js';
import type { Page, Paged } from '../../application/shared/ports.js';
import { Username } from '../../domain/index.js';
import {
  compareCodePoints,
  InMemoryReadSource,
  type InMemoryReadDatabase,
  type MemoryArticle,
} from './in-memory-read-store.js';

/** Newest first, then id descending (the SQL store's `created_at desc, id desc`). */
const newestFirst = (a: MemoryArticle, b: MemoryArticle): number =>
  b.createdAtMs - a.createdAtMs || compareCodePoints(b.id, a.id);

@injectable()
export class InMemoryArticleReadStore implements ArticleReadStore {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async findBySlug(slug: string): Promise<StoredArticle | null> {
    const db = this.source.current();
    const id = db.articleIdsBySlug.get(slug);
    const article = id === undefined ? undefined : db.articles.get(id);
    return article ? db.storedArticle(article) : null;
  }

  async list(filter: ArticleFilter, page: Page): Promise<Paged<StoredArticleSummary>> {
    const db = this.source.current();
    const tests: ((article: MemoryArticle) => boolean)[] = [];
    if (filter.tag !== undefined) {
      const tag = filter.tag;
      tests.push((a) => a.tagList.includes(tag));
    }
    if (filter.authorKey !== undefined) {
      const authorId = db.userIdsByKey.get(Username.keyOf(filter.authorKey));
      tests.push((a) => a.authorId === authorId);
    }
    if (filter.favoritedByKey !== undefined) {
      const userId = db.userIdsByKey.get(Username.keyOf(filter.favoritedByKey));
      tests.push((a) => userId !== undefined && db.favorites.get(a.id)?.get(userId)?.active === true);
    }
    return this.page(db, (a) => tests.every((test) => test(a)), page);
  }

  async feed(followerId: string, page: Page): Promise<Paged<StoredArticleSummary>> {
    const db = this.source.current();
    const followed = db.follows.get(followerId);
    return this.page(db, (a) => followed?.get(a.authorId)?.active === true, page);
  }

  async tags(): Promise<string[]> {
    return [...this.source.current().tagCounts]
      .sort(([tagA, countA], [tagB, countB]) => countB - countA || compareCodePoints(tagA, tagB))
      .map(([tag]) => tag);
  }

  private page(
    db: InMemoryReadDatabase,
    matches: (article: MemoryArticle) => boolean,
    page: Page,
  ): Paged<StoredArticleSummary> {
    const all = [...db.articles.values()].filter(matches).sort(newestFirst);
    const items = all.slice(page.offset, page.offset + page.limit).map((article) => {
      const { body: _body, ...summary } = db.storedArticle(article);
      return summary;
    });
    return { items, total: all.length };
  }
}
