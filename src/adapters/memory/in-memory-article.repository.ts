import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { ArticleRepository } from '../../application/articles/article.repository.js';
import { slugTaken, type SaveConflict } from '../../application/shared/persistence.js';
import { Article } from '../../domain/index.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

const SLUG = 'articles_slug_unique';

/** The in-memory twin of SqlArticleRepository; deleting cascades like the SQL foreign keys. */
@injectable()
export class InMemoryArticleRepository implements ArticleRepository {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async findBySlug(slug: string): Promise<Article | null> {
    const row = this.store.articles.getUnique(SLUG, slug);
    return row === null ? null : Article.rehydrate(row);
  }

  async findById(id: string): Promise<Article | null> {
    const row = this.store.articles.get(id);
    return row === null ? null : Article.rehydrate(row);
  }

  async save(article: Article): Promise<Result<void, SaveConflict>> {
    const { articles, users } = this.store;
    return this.store.save(
      article,
      'article',
      () => {
        if (article.isDeleted)
          return articles.checkDelete(article.id, article.persistedVersion, () => this.store.deleteArticle(article.id));
        const row = article.snapshot();
        if (!article.isNew) return articles.checkUpdate(row, article.persistedVersion);
        this.store.requireRow(users, row.authorId, 'articles_author_id_foreign');
        return articles.checkInsert(row);
      },
      (constraint) => (constraint === SLUG ? slugTaken() : null),
    );
  }
}
