import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { ArticleReadStore } from '../articles/article.read-store.js';
import { ViewerContext } from '../profiles/viewer-context.js';
import type { StoredComment } from '../read-model/stored.js';
import type { CommentView } from '../read-model/views.js';
import { articleNotFound, type ArticleNotFound } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import { CommentReadStore } from './comment.read-store.js';

export interface ListComments {
  readonly slug: string;
  readonly viewerId?: string | undefined;
}

/** The comments of an article, oldest first, each author with the viewer's `following`. */
@injectable()
export class ListCommentsHandler implements QueryHandler<ListComments, CommentView[], ArticleNotFound> {
  constructor(
    @inject(ArticleReadStore) private readonly articles: ArticleReadStore,
    @inject(CommentReadStore) private readonly comments: CommentReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: ListComments): Promise<Result<CommentView[], ArticleNotFound>> {
    const article = await this.articles.findBySlug(query.slug);
    if (article === null) return Err(articleNotFound());
    const comments = await this.comments.listByArticle(article.id);
    return Ok(await toCommentViews(this.viewer, query.viewerId, comments));
  }
}

export async function toCommentViews(
  viewer: ViewerContext,
  viewerId: string | undefined,
  comments: readonly StoredComment[],
): Promise<CommentView[]> {
  const personalise = await viewer.forAuthors(
    viewerId,
    comments.map((c) => c.author),
  );
  return comments.map((c) => ({
    id: c.id,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    body: c.body,
    author: personalise(c.author),
  }));
}
