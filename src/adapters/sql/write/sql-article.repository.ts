import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { ArticleRepository } from '../../../application/articles/article.repository.js';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import type { Article } from '../../../domain/index.js';
import { ArticleRecord, fromArticleRecord } from './records/article.record.js';
import { isUuid } from './records/keys.js';
import { saveWithEvents, type RowWrite } from './save-with-events.js';
import { iso, SqlWriteContext } from './sql-write-context.js';

/**
 * Articles in `articles`. Deleting one deletes its comments and favourites through the
 * foreign keys' ON DELETE CASCADE, in the same statement as the ArticleDeleted event.
 */
@injectable()
export class SqlArticleRepository implements ArticleRepository {
  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  async findBySlug(slug: string): Promise<Article | null> {
    const record = await this.context.load((em) => em.findOne(ArticleRecord, { slug }));
    return record === null ? null : fromArticleRecord(record);
  }

  async findById(id: string): Promise<Article | null> {
    if (!isUuid(id)) return null;
    const record = await this.context.load((em) => em.findOne(ArticleRecord, { id }));
    return record === null ? null : fromArticleRecord(record);
  }

  async save(article: Article): Promise<Result<void, SaveConflict>> {
    const saved = await saveWithEvents(this.context, article, 'article', () => rowWrite(article));
    return saved.isOk() ? Ok(undefined) : Err(saved.error);
  }
}

function rowWrite(article: Article): RowWrite {
  const s = article.snapshot();
  if (article.isDeleted)
    return {
      ctes: [`written as (delete from articles where id = $1 and version = $2 returning 1)`],
      params: [s.id, article.persistedVersion],
    };
  const fields = [s.slug, s.title, s.description, s.body, [...s.tagList], iso(s.updatedAt), s.version];
  if (article.isNew)
    return {
      ctes: [
        `written as (insert into articles (id, slug, title, description, body, tag_list, updated_at, version,
                                           author_id, created_at)
                     values ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10) returning 1)`,
      ],
      params: [s.id, ...fields, s.authorId, iso(s.createdAt)],
    };
  return {
    ctes: [
      `written as (update articles set slug = $2, title = $3, description = $4, body = $5, tag_list = $6::text[],
                          updated_at = $7, version = $8
                    where id = $1 and version = $9 returning 1)`,
    ],
    params: [s.id, ...fields, article.persistedVersion],
  };
}
