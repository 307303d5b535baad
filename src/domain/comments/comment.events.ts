import type { DomainEvent } from '../shared/domain-event.js';

export type CommentAdded = DomainEvent<
  'CommentAdded',
  {
    readonly commentId: number;
    readonly articleId: string;
    readonly authorId: string;
    readonly body: string;
    readonly createdAt: string;
  }
>;
export type CommentDeleted = DomainEvent<
  'CommentDeleted',
  { readonly commentId: number; readonly articleId: string; readonly authorId: string }
>;
export type CommentEvent = CommentAdded | CommentDeleted;
