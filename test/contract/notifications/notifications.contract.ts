import { describe, expect, it } from 'vitest';
import type {
  NotificationChange,
  NotificationInbox,
  NotificationWriter,
} from '../../../src/application/notifications/notification-store.js';
import {
  minutesAfterT0,
  newComment,
  newFavorite,
  newFollow,
  saved,
  storedArticle,
  storedUser,
  type WriteSide,
} from '../repositories/write-side.contract.js';

export interface NotificationsUnderTest {
  readonly side: WriteSide;
  readonly writer: NotificationWriter;
  readonly inbox: NotificationInbox;
}

const CONSUMER = 'notifier';
let messages = 0;
const message = () => `msg-${(messages += 1)}`;

/**
 * The notification store's contract: the inbox makes a repeated message change nothing,
 * each change converges on the write model's state of its fact (whatever the order), and
 * the inbox of a user lists, counts and marks as the API promises.
 */
export function notificationsContract(name: string, open: () => Promise<NotificationsUnderTest>): void {
  describe(`notification store contract: ${name}`, () => {
    const page = { limit: 100, offset: 0 };
    const apply = (t: NotificationsUnderTest, change: NotificationChange, id = message()) => t.writer.apply(CONSUMER, id, change);

    it('tells the followers whose follow began before the publication, once however often the message comes', async () => {
      const t = await open();
      const author = await storedUser(t.side);
      const early = await Promise.all(Array.from({ length: 7 }, () => storedUser(t.side)));
      const late = await storedUser(t.side);
      for (const follower of early) await saved(t.side.follows.save(newFollow(follower.id, author.id, minutesAfterT0(0))));
      const article = await storedArticle(t.side, author.id, { now: minutesAfterT0(1) });
      await saved(t.side.follows.save(newFollow(late.id, author.id, minutesAfterT0(2))));
      const change: NotificationChange = { kind: 'article-published', articleId: article.id, authorId: author.id };
      expect(await apply(t, change, 'published-1')).toBe('applied');
      expect(await apply(t, change, 'published-1')).toBe('duplicate');
      // Even a different message about the same fact announces it once.
      expect(await apply(t, change)).toBe('applied');
      for (const follower of early) {
        const mine = await t.inbox.list(follower.id, page);
        expect(mine.notificationsCount).toBe(1);
        expect(mine.notifications[0]).toMatchObject({
          type: 'article.published',
          read: false,
          actor: { username: author.snapshot().username },
          article: { slug: article.snapshot().slug, title: article.snapshot().title },
        });
      }
      expect((await t.inbox.list(late.id, page)).notificationsCount).toBe(0);
      expect((await t.inbox.list(author.id, page)).notificationsCount).toBe(0);
    });

    it('converges on the favourite and the follow as they stand, whatever order their events come in', async () => {
      const t = await open();
      const author = await storedUser(t.side);
      const fan = await storedUser(t.side);
      const article = await storedArticle(t.side, author.id);
      const favorite = newFavorite(fan.id, article.id);
      await saved(t.side.favorites.save(favorite));
      favorite.switchTo(false, minutesAfterT0(1));
      await saved(t.side.favorites.save(favorite));
      const fact: NotificationChange = { kind: 'article-favorited', articleId: article.id, userId: fan.id };
      // The favourite's event arrives after the unfavourite committed: nothing to announce.
      await apply(t, fact);
      expect((await t.inbox.list(author.id, page)).notificationsCount).toBe(0);
      favorite.switchTo(true, minutesAfterT0(2));
      await saved(t.side.favorites.save(favorite));
      await apply(t, fact);
      await apply(t, fact);
      expect((await t.inbox.list(author.id, page)).notifications.map((n) => n.type)).toEqual(['article.favorited']);

      const follow = newFollow(fan.id, author.id);
      await saved(t.side.follows.save(follow));
      const followed: NotificationChange = { kind: 'user-followed', followerId: fan.id, followeeId: author.id };
      await apply(t, followed);
      expect((await t.inbox.list(author.id, page)).notificationsCount).toBe(2);
      follow.switchTo(false, minutesAfterT0(3));
      await saved(t.side.follows.save(follow));
      await apply(t, followed);
      expect((await t.inbox.list(author.id, page)).notifications.map((n) => n.type)).toEqual(['article.favorited']);
    });

    it('announces a favourite switched on again after it was taken back as a new notification: unread, listed first', async () => {
      const t = await open();
      const author = await storedUser(t.side);
      const fan = await storedUser(t.side);
      const follower = await storedUser(t.side);
      const article = await storedArticle(t.side, author.id);
      const favorite = newFavorite(fan.id, article.id);
      const fact: NotificationChange = { kind: 'article-favorited', articleId: article.id, userId: fan.id };
      await saved(t.side.favorites.save(favorite));
      await apply(t, fact);
      await saved(t.side.follows.save(newFollow(follower.id, author.id)));
      await apply(t, { kind: 'user-followed', followerId: follower.id, followeeId: author.id });
      expect(await t.inbox.markRead(author.id, null)).toBe(2);

      favorite.switchTo(false, minutesAfterT0(1));
      await saved(t.side.favorites.save(favorite));
      await apply(t, fact);
      let listed = await t.inbox.list(author.id, page);
      expect(listed.notifications.map((n) => n.type)).toEqual(['user.followed']);
      expect([listed.notificationsCount, listed.unreadCount]).toEqual([1, 0]);
      expect(await t.inbox.markRead(author.id, null)).toBe(0);

      favorite.switchTo(true, minutesAfterT0(2));
      await saved(t.side.favorites.save(favorite));
      await apply(t, fact);
      listed = await t.inbox.list(author.id, page);
      expect(listed.notifications.map((n) => [n.type, n.read])).toEqual([
        ['article.favorited', false],
        ['user.followed', true],
      ]);
      expect([listed.notificationsCount, listed.unreadCount]).toEqual([2, 1]);
      // Marking read up to the older notification's id leaves the new one unread.
      expect(await t.inbox.markRead(author.id, listed.notifications[1]!.id)).toBe(0);
      expect((await t.inbox.list(author.id, page)).unreadCount).toBe(1);
    });

    it('tells an author of comments by others; a deleted comment or article takes its notifications along', async () => {
      const t = await open();
      const author = await storedUser(t.side);
      const reader = await storedUser(t.side);
      const article = await storedArticle(t.side, author.id);
      const byReader = newComment(await t.side.comments.nextId(), article.id, reader.id);
      const byAuthor = newComment(await t.side.comments.nextId(), article.id, author.id);
      await saved(t.side.comments.save(byReader));
      await saved(t.side.comments.save(byAuthor));
      await apply(t, { kind: 'article-commented', articleId: article.id, commentId: byReader.id, commenterId: reader.id });
      await apply(t, { kind: 'article-commented', articleId: article.id, commentId: byAuthor.id, commenterId: author.id });
      const listed = await t.inbox.list(author.id, page);
      expect(listed.notifications.map((n) => [n.type, n.actor.username])).toEqual([['article.commented', reader.snapshot().username]]);

      const fan = await storedUser(t.side);
      await saved(t.side.favorites.save(newFavorite(fan.id, article.id)));
      await apply(t, { kind: 'article-favorited', articleId: article.id, userId: fan.id });
      expect((await t.inbox.list(author.id, page)).notificationsCount).toBe(2);
      const loaded = await t.side.articles.findById(article.id);
      expect(loaded).not.toBeNull();
      if (loaded === null) throw new Error('article not stored');
      expect(loaded.delete({ userId: author.id, role: 'user' }, minutesAfterT0(5)).isOk()).toBe(true);
      await saved(t.side.articles.save(loaded));
      // Gone with the article, before its event arrives; the event then changes nothing.
      expect(await t.inbox.list(author.id, page)).toEqual({ notifications: [], notificationsCount: 0, unreadCount: 0 });
      await apply(t, { kind: 'article-deleted', articleId: article.id });
      expect((await t.inbox.list(author.id, page)).notificationsCount).toBe(0);
    });

    it('forgets handled ids when pruned; a forgotten message that comes back changes nothing', async () => {
      const t = await open();
      const me = await storedUser(t.side);
      const fan = await storedUser(t.side);
      await saved(t.side.follows.save(newFollow(fan.id, me.id)));
      const followed: NotificationChange = { kind: 'user-followed', followerId: fan.id, followeeId: me.id };
      expect(await apply(t, followed, 'kept-then-pruned')).toBe('applied');
      expect(await t.writer.pruneInbox(CONSUMER, new Date(Date.now() - 60_000))).toBe(0);
      expect(await apply(t, followed, 'kept-then-pruned')).toBe('duplicate');
      expect(await t.writer.pruneInbox(CONSUMER, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
      expect(await apply(t, followed, 'kept-then-pruned')).toBe('applied');
      expect((await t.inbox.list(me.id, page)).notificationsCount).toBe(1);
    });

    it('lists newest first with counts, pages, and marks read up to an id or all', async () => {
      const t = await open();
      const me = await storedUser(t.side);
      const fans = await Promise.all(Array.from({ length: 4 }, () => storedUser(t.side)));
      for (const fan of fans) {
        await saved(t.side.follows.save(newFollow(fan.id, me.id)));
        await apply(t, { kind: 'user-followed', followerId: fan.id, followeeId: me.id });
      }
      const all = await t.inbox.list(me.id, page);
      expect(all.notifications.map((n) => n.actor.username)).toEqual(fans.map((f) => f.snapshot().username).reverse());
      const ids = all.notifications.map((n) => n.id);
      expect((await t.inbox.list(me.id, { limit: 2, offset: 1 })).notifications.map((n) => n.id)).toEqual(ids.slice(1, 3));
      expect(await t.inbox.markRead(me.id, ids[2] ?? '')).toBe(2);
      expect(await t.inbox.list(me.id, { limit: 1, offset: 0 })).toMatchObject({ notificationsCount: 4, unreadCount: 2 });
      expect(await t.inbox.markRead(me.id, null)).toBe(2);
      expect(await t.inbox.markRead(me.id, null)).toBe(0);
      const other = await storedUser(t.side);
      expect(await t.inbox.list(other.id, page)).toEqual({ notifications: [], notificationsCount: 0, unreadCount: 0 });
    });
  });
}
