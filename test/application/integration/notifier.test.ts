import { describe, expect, it } from 'vitest';
import { toIntegrationEvent, type IntegrationEvent } from '../../../src/application/integration/integration-events.js';
import type { NotificationChange, NotificationWriter } from '../../../src/application/notifications/notification-store.js';
import {
  notificationChangeOf,
  Notifier,
  NOTIFIER_CONSUMER,
  NOTIFIER_EVENT_TYPES,
  UnusableEvent,
} from '../../../src/application/notifications/notifier.js';
import { SAMPLE_EVENTS } from './sample-events.js';

const JAKE = '0195a1b2-0000-7000-8000-00000000a001';
const CELEB = '0195a1b2-0000-7000-8000-00000000a002';
const ARTICLE = '0195a1b2-0000-7000-8000-00000000b001';
const sample = (type: keyof typeof SAMPLE_EVENTS): IntegrationEvent => toIntegrationEvent(SAMPLE_EVENTS[type]);

describe('notifier: what each integration event means for notifications', () => {
  it('maps every type it consumes to a change, and every other type to none', () => {
    const changes = Object.keys(SAMPLE_EVENTS).map((type) => {
      const event = sample(type as keyof typeof SAMPLE_EVENTS);
      return [event.type, notificationChangeOf(event)] as const;
    });
    for (const [type, change] of changes) expect(change !== null, type).toBe(NOTIFIER_EVENT_TYPES.includes(type));
    expect(notificationChangeOf(sample('ArticlePublished'))).toEqual({ kind: 'article-published', articleId: ARTICLE, authorId: CELEB });
    // A favourite and its undoing state the same fact: the store checks which one holds.
    expect(notificationChangeOf(sample('ArticleFavorited'))).toEqual(notificationChangeOf(sample('ArticleUnfavorited')));
    expect(notificationChangeOf(sample('UserFollowed'))).toEqual({ kind: 'user-followed', followerId: JAKE, followeeId: CELEB });
    expect(notificationChangeOf(sample('CommentAdded'))).toMatchObject({ kind: 'article-commented', articleId: ARTICLE });
  });

  it('refuses a message whose data lacks what its type promises (dead-lettered with the reason)', () => {
    const good = sample('ArticlePublished');
    const bad = { ...good, data: { ...good.data, articleId: 'not-an-id' } } as IntegrationEvent;
    expect(() => notificationChangeOf(bad)).toThrow(UnusableEvent);
    expect(() => notificationChangeOf(bad)).toThrow(/data\.articleId is not an id/);
    const comment = sample('CommentAdded');
    expect(() => notificationChangeOf({ ...comment, data: { ...comment.data, commentId: -1 } } as IntegrationEvent)).toThrow(
      /data\.commentId/,
    );
  });

  it('hands the store the message id with the change, under the consumer name', async () => {
    const applied: [string, string, NotificationChange | null][] = [];
    const writer: NotificationWriter = {
      apply: async (consumer, id, change) => (applied.push([consumer, id, change]), 'applied'),
      pruneInbox: async () => 0,
    };
    const event = sample('UserFollowed');
    expect(await new Notifier(writer).handle({ event, attempt: 1 })).toBe('applied');
    expect(applied).toEqual([[NOTIFIER_CONSUMER, event.id, notificationChangeOf(event)]]);
  });
});
