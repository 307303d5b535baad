import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Comment, parseCommentBody, type CommentValidationError } from '../../domain/index.js';
import { ArticleRepository } from '../articles/article.repository.js';
import { ProfileLookup } from '../profiles/profile-lookup.js';
import { articleNotFound, unknownActor, type ArticleNotFound, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { referenceGoneAs, type SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import type { CommentView } from '../shared/views.js';
import { commentViewOf } from '../shared/write-side-views.js';
import { CommentRepository } from './comment.repository.js';

export interface AddComment {
  readonly authorId: string;
  readonly slug: string;
  readonly body: string;
}

export type AddCommentError = CommentValidationError | ArticleNotFound | UnknownActor | SaveConflict;

@injectable()
export class AddCommentHandler implements CommandHandler<AddComment, CommentView, AddCommentError> {
  constructor(
    @inject(CommentRepository) private readonly comments: CommentRepository,
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(ProfileLookup) private readonly profiles: ProfileLookup,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: AddComment): Promise<Result<CommentView, AddCommentError>> {
    const [author, article] = await Promise.all([
      this.profiles.profileOf(command.authorId, undefined),
      this.articles.findBySlug(command.slug),
    ]);
    if (author === null) return Err(unknownActor());
    if (article === null) return Err(articleNotFound());
    const body = parseCommentBody(command.body);
    if (body.isErr()) return body;
    const comment = Comment.add({
      id: await this.comments.nextId(),
      articleId: article.id,
      authorId: command.authorId,
      body: body.value,
      now: this.clock.now(),
    });
    const saved = await this.comments.save(comment);
    // The article was deleted between the look-up and the insert (its foreign key).
    if (saved.isErr()) return Err(referenceGoneAs(saved.error, articleNotFound));
    return Ok(commentViewOf(comment.snapshot(), author));
  }
}
