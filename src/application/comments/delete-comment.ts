import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { actsWithPrivilege, type CommentForbiddenError } from '../../domain/index.js';
import { ArticleRepository } from '../articles/article.repository.js';
import { loadActor } from '../shared/actor.js';
import { AuditLog, userActor } from '../shared/audit-log.js';
import {
  articleNotFound,
  commentNotFound,
  type ArticleNotFound,
  type CommentNotFound,
  type UnknownActor,
} from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { CommentRepository } from './comment.repository.js';

export interface DeleteComment {
  readonly actorId: string;
  readonly slug: string;
  readonly commentId: number;
}

export type DeleteCommentError = CommentForbiddenError | ArticleNotFound | CommentNotFound | UnknownActor | SaveConflict;

@injectable()
export class DeleteCommentHandler implements CommandHandler<DeleteComment, void, DeleteCommentError> {
  constructor(
    @inject(CommentRepository) private readonly comments: CommentRepository,
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async execute(command: DeleteComment): Promise<Result<void, DeleteCommentError>> {
    const actor = await loadActor(this.users, command.actorId);
    if (actor.isErr()) return actor;
    const [article, comment] = await Promise.all([
      this.articles.findBySlug(command.slug),
      this.comments.findById(command.commentId),
    ]);
    if (article === null) return Err(articleNotFound());
    // A comment of another article is not found under this one.
    if (comment === null || comment.articleId !== article.id) return Err(commentNotFound());
    const deleted = comment.delete(actor.value, this.clock.now());
    if (deleted.isErr()) return deleted;
    const saved = await this.comments.save(comment);
    if (saved.isErr()) return (await this.comments.findById(command.commentId)) === null ? Err(commentNotFound()) : Err(saved.error);
    if (actsWithPrivilege(actor.value, comment.authorId))
      this.audit.record({
        actor: userActor(actor.value.userId),
        action: 'comment.delete',
        target: `${article.slug}/comments/${comment.id}`,
        owner: comment.authorId,
      });
    return Ok(undefined);
  }
}
