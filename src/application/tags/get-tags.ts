import { inject, injectable } from 'inversify';
import { Ok, type Result } from 'ts-results-es';
import { ArticleReadStore } from '../read-side/article.read-store.js';
import type { ReadFreshness, TwoStepQuery } from '../shared/handler.js';

export type GetTags = ReadFreshness;

/** Every tag in use, most used first. */
@injectable()
export class GetTagsHandler implements TwoStepQuery<GetTags, string[], string[], never> {
  constructor(@inject(ArticleReadStore) private readonly articles: ArticleReadStore) {}

  async execute(query: GetTags = {}): Promise<Result<string[], never>> {
    return this.present(query, await this.load(query));
  }

  load(_query: GetTags = {}): Promise<string[]> {
    return this.articles.tags();
  }

  async present(_query: GetTags, tags: string[]): Promise<Result<string[], never>> {
    return Ok(tags);
  }
}
