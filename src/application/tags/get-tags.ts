import { inject, injectable } from 'inversify';
import { Ok, type Result } from 'ts-results-es';
import { ArticleReadStore } from '../articles/article.read-store.js';
import type { QueryHandler } from '../shared/handler.js';

export type GetTags = Record<string, never>;

/** Every tag in use, most used first. */
@injectable()
export class GetTagsHandler implements QueryHandler<GetTags, string[], never> {
  constructor(@inject(ArticleReadStore) private readonly articles: ArticleReadStore) {}

  async execute(_query: GetTags = {}): Promise<Result<string[], never>> {
    return Ok(await this.articles.tags());
  }
}
