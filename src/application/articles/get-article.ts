import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { ViewerContext } from '../read-side/viewer-context.js';
import type { ArticleView } from '../shared/views.js';
import { articleNotFound, type ArticleNotFound } from '../shared/errors.js';
import type { ReadFreshness, TwoStepQuery } from '../shared/handler.js';
import { ArticleReadStore } from '../read-side/article.read-store.js';
import type { ArticleReadModel } from '../read-side/read-models.js';

export interface GetArticle extends ReadFreshness {
  readonly slug: string;
  readonly viewerId?: string | undefined;
}

@injectable()
export class GetArticleHandler implements TwoStepQuery<GetArticle, ArticleReadModel | null, ArticleView, ArticleNotFound> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: GetArticle): Promise<Result<ArticleView, ArticleNotFound>> {
    return this.present(query, await this.load(query));
  }

  load(query: GetArticle): Promise<ArticleReadModel | null> {
    return this.articles.findBySlug(query.slug);
  }

  async present(query: GetArticle, article: ArticleReadModel | null): Promise<Result<ArticleView, ArticleNotFound>> {
    if (article === null) return Err(articleNotFound());
    const personalise = await this.viewer.forArticles(query.viewerId, [article]);
    return Ok(personalise(article));
  }
}
