import { inject, injectable } from 'inversify';
import { Ok, type Result } from 'ts-results-es';
import { ViewerContext } from '../read-side/viewer-context.js';
import type { QueryHandler } from '../shared/handler.js';
import type { Page } from '../shared/ports.js';
import { ArticleReadStore } from '../read-side/article.read-store.js';
import type { ArticlePage } from './list-articles.js';

export interface GetFeed extends Page {
  readonly viewerId: string;
}

/** Articles by the authors the viewer follows, newest first. */
@injectable()
export class GetFeedHandler implements QueryHandler<GetFeed, ArticlePage, never> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: GetFeed): Promise<Result<ArticlePage, never>> {
    const page = await this.articles.feed(query.viewerId, { limit: query.limit, offset: query.offset });
    const personalise = await this.viewer.forArticles(query.viewerId, page.items);
    return Ok({ articles: page.items.map(personalise), articlesCount: page.total });
  }
}
