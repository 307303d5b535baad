import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { ArticleReadStore } from '../read-side/article.read-store.js';
import { CommentReadStore } from '../read-side/comment.read-store.js';
import type { CommentReadModel } from '../read-side/read-models.js';
import { toCommentViews, ViewerContext } from '../read-side/viewer-context.js';
import { articleNotFound, type ArticleNotFound } from '../shared/errors.js';
import type { ReadFreshness, TwoStepQuery } from '../shared/handler.js';
import type { CommentView } from '../shared/views.js';

export interface ListComments extends ReadFreshness {
  readonly slug: string;
  readonly viewerId?: string | undefined;
}

/** What every viewer sees of an article's comments; null when no article has the slug. */
export type ArticleComments = { readonly articleId: string; readonly comments: readonly CommentReadModel[] } | null;

/** The comments of an article, oldest first, each author with the viewer's `following`. */
@injectable()
export class ListCommentsHandler implements TwoStepQuery<ListComments, ArticleComments, CommentView[], ArticleNotFound> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(CommentReadStore) private readonly comments: CommentReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: ListComments): Promise<Result<CommentView[], ArticleNotFound>> {
    return this.present(query, await this.load(query));
  }

  async load(query: ListComments): Promise<ArticleComments> {
    const article = await this.articles.findBySlug(query.slug);
    if (article === null) return null;
    return { articleId: article.id, comments: await this.comments.listByArticle(article.id) };
  }

  async present(query: ListComments, data: ArticleComments): Promise<Result<CommentView[], ArticleNotFound>> {
    if (data === null) return Err(articleNotFound());
    return Ok(await toCommentViews(this.viewer, query.viewerId, data.comments));
  }
}
