import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { ViewerContext } from '../profiles/viewer-context.js';
import type { CommentView } from '../read-model/views.js';
import { commentNotFound, type CommentNotFound } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import { CommentReadStore } from './comment.read-store.js';
import { toCommentViews } from './list-comments.js';

export interface GetComment {
  readonly commentId: number;
  readonly viewerId?: string | undefined;
}

@injectable()
export class GetCommentHandler implements QueryHandler<GetComment, CommentView, CommentNotFound> {
  constructor(
    @inject(CommentReadStore) private readonly comments: CommentReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: GetComment): Promise<Result<CommentView, CommentNotFound>> {
    const comment = await this.comments.findById(query.commentId);
    if (comment === null) return Err(commentNotFound());
    const [view] = await toCommentViews(this.viewer, query.viewerId, [comment]);
    return view ? Ok(view) : Err(commentNotFound());
  }
}
