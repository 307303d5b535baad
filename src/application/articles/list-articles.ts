import { inject, injectable } from 'inversify';
import { Ok, type Result } from 'ts-results-es';
import { Username } from '../../domain/index.js';
import { ViewerContext } from '../profiles/viewer-context.js';
import type { ArticleListItemView } from '../read-model/views.js';
import type { QueryHandler } from '../shared/handler.js';
import type { Page } from '../shared/ports.js';
import { ArticleReadStore, type ArticleFilter } from './article.read-store.js';

export interface ArticlePage {
  readonly articles: ArticleListItemView[];
  readonly articlesCount: number;
}

export interface ListArticles extends Page {
  readonly tag?: string | undefined;
  readonly author?: string | undefined;
  readonly favorited?: string | undefined;
  readonly viewerId?: string | undefined;
}

/** Newest first, filtered by tag, author and/or favouriting user; `articlesCount` counts all matches. */
@injectable()
export class ListArticlesHandler implements QueryHandler<ListArticles, ArticlePage, never> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: ListArticles): Promise<Result<ArticlePage, never>> {
    const filter: ArticleFilter = {
      ...(query.tag !== undefined && { tag: query.tag.trim() }),
      ...(query.author !== undefined && { authorKey: Username.keyOf(query.author) }),
      ...(query.favorited !== undefined && { favoritedByKey: Username.keyOf(query.favorited) }),
    };
    const page = await this.articles.list(filter, { limit: query.limit, offset: query.offset });
    const personalise = await this.viewer.forArticles(query.viewerId, page.items);
    return Ok({ articles: page.items.map(personalise), articlesCount: page.total });
  }
}
