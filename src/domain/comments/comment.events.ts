import type { DomainEvent } from '../shared/domain-event.js';

export interface CommentAddedPayload {
  readonly commentId: number;
  readonly articleId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
}

export type CommentAdded = DomainEvent<'CommentAdded', CommentAddedPayload>;
export type CommentDeleted = DomainEvent<
  'CommentDeleted',
  { readonly commentId: number; readonly articleId: string; readonly authorId: string }
>;
export type CommentEvent = CommentAdded | CommentDeleted;
