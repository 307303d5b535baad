import { Err, Ok, type Result } from 'ts-results-es';
import { canActOnBehalfOf, type Actor } from '../shared/actor.js';
import { StateAggregate } from '../shared/state-aggregate.js';
import { forbiddenError, validationError, type ForbiddenError, type ValidationError } from '../shared/domain-error.js';
import { charLength, cleanText } from '../shared/text.js';
import type { CommentEvent } from './comment.events.js';

const COMMENT_BODY_MAX = 10_000;

export type CommentValidationError = ValidationError<'COMMENT.BODY_INVALID'>;
export type CommentForbiddenError = ForbiddenError<'COMMENT.NOT_AUTHOR'>;

export interface CommentState {
  readonly id: number;
  readonly articleId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export const parseCommentBody = (raw: string): Result<string, CommentValidationError> => {
  const value = cleanText(raw).trim();
  if (value.length === 0) return Err(validationError('COMMENT.BODY_INVALID', 'body', "can't be blank"));
  if (charLength(value) > COMMENT_BODY_MAX)
    return Err(
      validationError('COMMENT.BODY_INVALID', 'body', `is too long (maximum is ${COMMENT_BODY_MAX} characters)`),
    );
  return Ok(value);
};

export class Comment extends StateAggregate<CommentState, CommentEvent> {
  protected readonly aggregateType = 'Comment';

  /** `body` must come from parseCommentBody; `id` from the repository's sequence. */
  static add(input: {
    readonly id: number;
    readonly articleId: string;
    readonly authorId: string;
    readonly body: string;
    readonly now: Date;
  }): Comment {
    const { id, articleId, authorId, body, now } = input;
    const comment = new Comment({ id, articleId, authorId, body, createdAt: now, updatedAt: now, version: 0 });
    comment.recordEvent('CommentAdded', now, { commentId: id, articleId, authorId, body, createdAt: now.toISOString() });
    return comment;
  }

  static rehydrate(state: CommentState): Comment {
    return new Comment(state);
  }

  delete(actor: Actor, now: Date): Result<void, CommentForbiddenError> {
    if (!canActOnBehalfOf(actor, this.state.authorId))
      return Err(forbiddenError('COMMENT.NOT_AUTHOR', 'comment', 'only its author can delete it'));
    if (!this.markDeleted()) return Ok(undefined);
    const { id, articleId, authorId } = this.state;
    this.recordEvent('CommentDeleted', now, { commentId: id, articleId, authorId });
    return Ok(undefined);
  }

  get articleId(): string {
    return this.state.articleId;
  }

  get authorId(): string {
    return this.state.authorId;
  }
}
