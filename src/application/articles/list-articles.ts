import { inject, injectable } from 'inversify';
import { Ok, type Result } from 'ts-results-es';
import { normalizeTag, Username } from '../../domain/index.js';
import { ViewerContext } from '../read-side/viewer-context.js';
import type { ArticleListItemView } from '../shared/views.js';
import type { ReadFreshness, TwoStepQuery } from '../shared/handler.js';
import type { Page, Paged } from '../shared/ports.js';
import type { ArticleSummaryReadModel } from '../read-side/read-models.js';
import { ArticleReadStore, type ArticleFilter } from '../read-side/article.read-store.js';

export interface ArticlePage {
  readonly articles: ArticleListItemView[];
  readonly articlesCount: number;
}

export interface ListArticles extends Page, ReadFreshness {
  readonly tag?: string | undefined;
  readonly author?: string | undefined;
  readonly favorited?: string | undefined;
  readonly viewerId?: string | undefined;
}

/**
 * Newest first, filtered by tag, author and/or favouriting user; `articlesCount` counts all
 * matches. The tag filter goes through the same rule as the tags written (`normalizeTag`),
 * so `?tag=React` finds the articles tagged `react`.
 */
@injectable()
export class ListArticlesHandler implements TwoStepQuery<ListArticles, Paged<ArticleSummaryReadModel>, ArticlePage, never> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: ListArticles): Promise<Result<ArticlePage, never>> {
    return this.present(query, await this.load(query));
  }

  load(query: ListArticles): Promise<Paged<ArticleSummaryReadModel>> {
    const filter: ArticleFilter = {
      ...(query.tag !== undefined && { tag: normalizeTag(query.tag) }),
      ...(query.author !== undefined && { authorKey: Username.keyOf(query.author) }),
      ...(query.favorited !== undefined && { favoritedByKey: Username.keyOf(query.favorited) }),
    };
    return this.articles.list(filter, { limit: query.limit, offset: query.offset });
  }

  async present(query: ListArticles, page: Paged<ArticleSummaryReadModel>): Promise<Result<ArticlePage, never>> {
    const personalise = await this.viewer.forArticles(query.viewerId, page.items);
    return Ok({ articles: page.items.map(personalise), articlesCount: page.total });
  }
}
