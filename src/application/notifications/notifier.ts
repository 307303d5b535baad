import { inject, injectable } from 'inversify';
import type { IntegrationEvent, IntegrationEventType } from '../integration/integration-events.js';
import type { Delivery } from '../integration/message-bus.js';
import { NotificationWriter, type NotificationChange } from './notification-store.js';

/** The durable consumer name every notifier instance shares (and whose dead letters operators list). */
export const NOTIFIER_CONSUMER = 'notifier';

/** The integration events notifications depend on; the notifier consumes only these. */
export const NOTIFIER_EVENT_TYPES: readonly IntegrationEventType[] = [
  'conduit.article.published.v1',
  'conduit.article.deleted.v1',
  'conduit.comment.added.v1',
  'conduit.comment.deleted.v1',
  'conduit.article.favorited.v1',
  'conduit.article.unfavorited.v1',
  'conduit.user.followed.v1',
  'conduit.user.unfollowed.v1',
];

/** A message whose data lacks what its type promises: no retry can fix it, it is dead-lettered with this reason. */
export class UnusableEvent extends Error {
  override readonly name = 'UnusableEvent';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function id(event: IntegrationEvent, field: string): string {
  const value = (event.data as unknown as Record<string, unknown>)[field];
  if (typeof value !== 'string' || !UUID.test(value)) throw new UnusableEvent(`${event.type} ${event.id}: data.${field} is not an id`);
  return value;
}

function commentId(event: IntegrationEvent): number {
  const value = (event.data as unknown as Record<string, unknown>)['commentId'];
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw new UnusableEvent(`${event.type} ${event.id}: data.commentId is not a comment id`);
  return value as number;
}

/** What an integration event means for notifications; null when nothing (a type this version does not use). */
export function notificationChangeOf(event: IntegrationEvent): NotificationChange | null {
  switch (event.type) {
    case 'conduit.article.published.v1':
      return { kind: 'article-published', articleId: id(event, 'articleId'), authorId: id(event, 'authorId') };
    case 'conduit.article.deleted.v1':
      return { kind: 'article-deleted', articleId: id(event, 'articleId') };
    case 'conduit.comment.added.v1':
      return {
        kind: 'article-commented',
        articleId: id(event, 'articleId'),
        commentId: commentId(event),
        commenterId: id(event, 'authorId'),
      };
    case 'conduit.comment.deleted.v1':
      return { kind: 'comment-deleted', commentId: commentId(event) };
    // Both directions state the same fact ("does the favourite stand?"), checked against the write model.
    case 'conduit.article.favorited.v1':
    case 'conduit.article.unfavorited.v1':
      return { kind: 'article-favorited', articleId: id(event, 'articleId'), userId: id(event, 'userId') };
    case 'conduit.user.followed.v1':
    case 'conduit.user.unfollowed.v1':
      return { kind: 'user-followed', followerId: id(event, 'followerId'), followeeId: id(event, 'followeeId') };
    default:
      return null;
  }
}

/**
 * The notifier: turns integration events into users' notifications. Any number of
 * instances share one durable consumer; delivery is at least once and in no promised
 * order, so each message is recorded in the inbox in the same transaction as its effect
 * (a redelivery changes nothing), and each effect converges on the write model's state
 * (a late or reordered event cannot resurrect what a newer one took back).
 */
@injectable()
export class Notifier {
  constructor(@inject(NotificationWriter) private readonly writer: NotificationWriter) {}

  /** Handles one delivery; rejects (the message is retried, then dead-lettered) when it cannot. */
  async handle(delivery: Delivery): Promise<'applied' | 'duplicate'> {
    return this.writer.apply(NOTIFIER_CONSUMER, delivery.event.id, notificationChangeOf(delivery.event));
  }
}
