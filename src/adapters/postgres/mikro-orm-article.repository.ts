import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { ArticleRepository } from '../../application/articles/article.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import type { Article } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';
import { saveWithEvents } from './outbox.js';
import { ArticleRecord, fromArticleRecord, toArticleRecord } from './records/article.record.js';
import { isUuid } from './records/keys.js';

/**
 * Articles in `articles`. Deleting one deletes its comments and favourites through the
 * foreign keys' ON DELETE CASCADE, inside the same transaction as the ArticleDeleted event.
 */
@injectable()
export class MikroOrmArticleRepository implements ArticleRepository {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  async findBySlug(slug: string): Promise<Article | null> {
    const record = await this.orm.em.fork().findOne(ArticleRecord, { slug });
    return record === null ? null : fromArticleRecord(record);
  }

  async findById(id: string): Promise<Article | null> {
    if (!isUuid(id)) return null;
    const record = await this.orm.em.fork().findOne(ArticleRecord, { id });
    return record === null ? null : fromArticleRecord(record);
  }

  // The slug is unique, so the count reads at most one index entry.
  async isSlugTaken(slug: string, exceptArticleId?: string): Promise<boolean> {
    const except = exceptArticleId !== undefined && isUuid(exceptArticleId) ? { id: { $ne: exceptArticleId } } : {};
    return (await this.orm.em.fork().count(ArticleRecord, { slug, ...except })) > 0;
  }

  save(article: Article): Promise<Result<void, SaveConflict>> {
    return saveWithEvents(this.orm, article, 'article', async (tx) => {
      const { id, ...changes } = toArticleRecord(article);
      const current = { id, version: article.persistedVersion };
      if (article.isDeleted) return (await tx.nativeDelete(ArticleRecord, current)) === 1;
      if (article.isNew) {
        await tx.insert(ArticleRecord, { id, ...changes });
        return true;
      }
      return (await tx.nativeUpdate(ArticleRecord, current, changes)) === 1;
    });
  }
}
