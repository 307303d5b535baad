import { Err, Ok, type Result } from 'ts-results-es';
import { canActOnBehalfOf, type Actor } from '../shared/actor.js';
import { AggregateRoot } from '../shared/aggregate-root.js';
import { forbiddenError, validationError, type ForbiddenError, type ValidationError } from '../shared/domain-error.js';
import { charLength, cleanText } from '../shared/text.js';
import type { CommentEvent } from './comment.events.js';

export const COMMENT_BODY_MAX = 10_000;

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

export class Comment extends AggregateRoot<CommentEvent> {
  private deletedFlag = false;

  private constructor(private readonly state: Omit<CommentState, 'version'>, version: number) {
    super(version);
  }

  /** `body` must come from parseCommentBody; `id` from the repository's sequence. */
  static add(input: {
    readonly id: number;
    readonly articleId: string;
    readonly authorId: string;
    readonly body: string;
    readonly now: Date;
  }): Comment {
    const { id, articleId, authorId, body, now } = input;
    const comment = new Comment({ id, articleId, authorId, body, createdAt: now, updatedAt: now }, 0);
    comment.record((version) => ({
      type: 'CommentAdded',
      aggregateType: 'Comment',
      aggregateId: String(input.id),
      version,
      occurredAt: input.now,
      payload: {
        commentId: input.id,
        articleId: input.articleId,
        authorId: input.authorId,
        body: input.body,
        createdAt: input.now.toISOString(),
      },
    }));
    return comment;
  }

  static rehydrate(state: CommentState): Comment {
    const { version, ...rest } = state;
    return new Comment(rest, version);
  }

  delete(actor: Actor, now: Date): Result<void, CommentForbiddenError> {
    if (!canActOnBehalfOf(actor, this.state.authorId))
      return Err(forbiddenError('COMMENT.NOT_AUTHOR', 'comment', 'only its author can delete it'));
    if (this.deletedFlag) return Ok(undefined);
    this.deletedFlag = true;
    this.record((version) => ({
      type: 'CommentDeleted',
      aggregateType: 'Comment',
      aggregateId: String(this.state.id),
      version,
      occurredAt: now,
      payload: { commentId: this.state.id, articleId: this.state.articleId, authorId: this.state.authorId },
    }));
    return Ok(undefined);
  }

  get id(): number {
    return this.state.id;
  }
  get articleId(): string {
    return this.state.articleId;
  }
  get authorId(): string {
    return this.state.authorId;
  }
  get isDeleted(): boolean {
    return this.deletedFlag;
  }

  snapshot(): CommentState {
    return { ...this.state, version: this.version };
  }
}
