import { inject, injectable } from 'inversify';
import type { ArticleFilter, ArticleReadStore } from '../../application/read-side/article.read-store.js';
import type { ArticleReadModel, ArticleSummaryReadModel } from '../../application/read-side/read-models.js';
import { counterKey } from '../../application/read-side/read-model-rules.js';
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

  async findBySlug(slug: string): Promise<ArticleReadModel | null> {
    const db = this.source.current();
    const id = db.articleIdsBySlug.get(slug);
    const article = id === undefined ? undefined : db.articles.get(id);
    return article ? db.storedArticle(article) : null;
  }

  async list(filter: ArticleFilter, page: Page): Promise<Paged<ArticleSummaryReadModel>> {
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
    const listed = this.page(db, (a) => tests.every((test) => test(a)), page);
    // The total of no filter or one filter is the maintained count (as in SQL), a combination's the matches.
    return tests.length > 1 ? listed : { ...listed, total: maintainedTotal(db, filter) };
  }

  async feed(followerId: string, page: Page): Promise<Paged<ArticleSummaryReadModel>> {
    const db = this.source.current();
    const followed = [...(db.follows.get(followerId) ?? [])].filter(([, s]) => s.active).map(([id]) => id);
    const authors = new Set(followed);
    const listed = this.page(db, (a) => authors.has(a.authorId), page);
    const total = followed.reduce((sum, authorId) => sum + (db.counts.get(counterKey({ kind: 'author', authorId })) ?? 0), 0);
    return { ...listed, total };
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
  ): Paged<ArticleSummaryReadModel> {
    const all = [...db.articles.values()].filter(matches).sort(newestFirst);
    const items = all.slice(page.offset, page.offset + page.limit).map((article) => {
      const { body: _body, ...summary } = db.storedArticle(article);
      return summary;
    });
    return { items, total: all.length };
  }
}

function maintainedTotal(db: InMemoryReadDatabase, filter: ArticleFilter): number {
  if (filter.tag !== undefined) return db.tagCounts.get(filter.tag) ?? 0;
  const key = filter.authorKey ?? filter.favoritedByKey;
  if (key === undefined) return db.counts.get(counterKey({ kind: 'articles' })) ?? 0;
  const userId = db.userIdsByKey.get(Username.keyOf(key));
  if (userId === undefined) return 0;
  const counter = filter.authorKey !== undefined ? counterKey({ kind: 'author', authorId: userId }) : counterKey({ kind: 'favorited', userId });
  return db.counts.get(counter) ?? 0;
}
