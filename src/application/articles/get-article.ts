import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { ViewerContext } from '../profiles/viewer-context.js';
import type { ArticleView } from '../read-model/views.js';
import { articleNotFound, type ArticleNotFound } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import { ArticleReadStore } from './article.read-store.js';

export interface GetArticle {
  readonly slug: string;
  readonly viewerId?: string | undefined;
}

@injectable()
export class GetArticleHandler implements QueryHandler<GetArticle, ArticleView, ArticleNotFound> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: GetArticle): Promise<Result<ArticleView, ArticleNotFound>> {
    const article = await this.articles.findBySlug(query.slug);
    if (article === null) return Err(articleNotFound());
    const personalise = await this.viewer.forArticles(query.viewerId, [article]);
    return Ok(personalise(article));
  }
}
