import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type Registered } from './support/client.js';

interface Notification {
  id: string;
  type: string;
  createdAt: string;
  read: boolean;
  actor: { username: string; image: string | null };
  article: { slug: string; title: string } | null;
}
interface NotificationsBody {
  notifications: Notification[];
  notificationsCount: number;
  unreadCount: number;
}

/**
 * Notifications end to end on the embedded default: no broker is configured, so the
 * application relays its outbox into its own bus and runs the notifier in process. They
 * are built in the background, so each check waits until the expected state shows.
 */
describe('notifications API (whole application, in-process relay and notifier)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  const list = async (user: Registered, query = ''): Promise<NotificationsBody> => {
    const res = await api.request('GET', `/notifications${query}`, { token: user.token });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as NotificationsBody;
  };
  const eventually = async (user: Registered, check: (body: NotificationsBody) => boolean): Promise<NotificationsBody> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const body = await list(user);
      if (check(body)) return body;
      if (Date.now() > deadline) throw new Error(`notifications never matched: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const types = (body: NotificationsBody) => body.notifications.map((n) => `${n.type}:${n.actor.username}`);

  it('tells followers of a publication, authors of comments and favourites, users of new followers — newest first', async () => {
    const author = await api.register('author');
    const fan = await api.register('fan');
    const reader = await api.register('reader');
    expect((await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token })).statusCode).toBe(200);
    const followed = await eventually(author, (b) => b.notificationsCount === 1);
    expect(followed.notifications[0]).toMatchObject({ type: 'user.followed', read: false, actor: { username: fan.username, image: null }, article: null });

    const article = await api.createArticle(author, { title: 'Notified' });
    const published = await eventually(fan, (b) => b.notificationsCount === 1);
    expect(published.notifications[0]).toMatchObject({
      type: 'article.published',
      actor: { username: author.username },
      article: { slug: article.slug, title: 'Notified' },
    });
    expect((await list(reader)).notificationsCount).toBe(0);

    await api.request('POST', `/articles/${article.slug}/comments`, { token: reader.token, body: { comment: { body: 'hi' } } });
    await api.request('POST', `/articles/${article.slug}/favorite`, { token: fan.token });
    // The author's own comment and favourite tell nobody.
    await api.request('POST', `/articles/${article.slug}/comments`, { token: author.token, body: { comment: { body: 'me' } } });
    await api.request('POST', `/articles/${article.slug}/favorite`, { token: author.token });
    const all = await eventually(author, (b) => b.notificationsCount === 3);
    // The comment and the favourite are handled in no promised order (ADR 010); the follow came long before.
    expect(types(all).slice(0, 2).sort()).toEqual([`article.commented:${reader.username}`, `article.favorited:${fan.username}`]);
    expect(types(all)[2]).toBe(`user.followed:${fan.username}`);
    expect(all.unreadCount).toBe(3);
    const ids = all.notifications.map((n) => Number(n.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(Number.isNaN(Date.parse(all.notifications[0]?.createdAt ?? ''))).toBe(false);
  });

  it('marks read up to a notification, then all; pages with limit and offset', async () => {
    const author = await api.register('author');
    const fans = [await api.register('fan'), await api.register('fan'), await api.register('fan')];
    for (const fan of fans) await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token });
    const body = await eventually(author, (b) => b.notificationsCount === 3);
    const [newest, middle, oldest] = body.notifications;

    const page = await list(author, '?limit=1&offset=1');
    expect(page.notifications.map((n) => n.id)).toEqual([middle?.id]);
    expect(page).toMatchObject({ notificationsCount: 3, unreadCount: 3 });

    const upTo = await api.request('POST', '/notifications/read', { token: author.token, body: { upTo: middle?.id } });
    expect(upTo.statusCode, upTo.body).toBe(200);
    expect(upTo.json()).toEqual({ marked: 2, unreadCount: 1 });
    const after = await list(author);
    expect(after.notifications.map((n) => [n.id, n.read])).toEqual([
      [newest?.id, false],
      [middle?.id, true],
      [oldest?.id, true],
    ]);
    expect((await api.request('POST', '/notifications/read', { token: author.token, body: {} })).json()).toEqual({ marked: 1, unreadCount: 0 });
    expect((await api.request('POST', '/notifications/read', { token: author.token, body: {} })).json()).toEqual({ marked: 0, unreadCount: 0 });
  });

  it('stops telling a user who unfollowed, and takes back what an unfollow or unfavourite undid', async () => {
    const author = await api.register('author');
    const fan = await api.register('fan');
    await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token });
    const first = await api.createArticle(author);
    await eventually(fan, (b) => b.notificationsCount === 1);
    await api.request('POST', `/articles/${first.slug}/favorite`, { token: fan.token });
    await eventually(author, (b) => b.notificationsCount === 2);

    await api.request('DELETE', `/profiles/${author.username}/follow`, { token: fan.token });
    await api.request('DELETE', `/articles/${first.slug}/favorite`, { token: fan.token });
    await eventually(author, (b) => b.notificationsCount === 0);
    const second = await api.createArticle(author);
    // A marker after the second article: once the marker's notification shows, the second article's event was handled too.
    const other = await api.register('other');
    await api.request('POST', `/profiles/${other.username}/follow`, { token: fan.token });
    await eventually(other, (b) => b.notificationsCount === 1);
    const fanView = await list(fan);
    expect(fanView.notifications.map((n) => n.article?.slug)).toEqual([first.slug]);
    expect(second.slug).not.toBe(first.slug);
  });

  it("makes a deleted article's notifications disappear", async () => {
    const author = await api.register('author');
    const fan = await api.register('fan');
    await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token });
    const article = await api.createArticle(author);
    await eventually(fan, (b) => b.notificationsCount === 1);
    expect((await api.request('DELETE', `/articles/${article.slug}`, { token: author.token })).statusCode).toBe(204);
    await eventually(fan, (b) => b.notificationsCount === 0 && b.unreadCount === 0);
  });

  it("offers the in-process relay's lag to metrics", async () => {
    const lag = api.test.application.relayLagSeconds;
    expect(lag).not.toBeNull();
    expect(await lag?.()).toBeGreaterThanOrEqual(0);
  });

  it('answers 401 without a token and 422 for an id that is not one', async () => {
    const user = await api.register('user');
    expect((await api.request('GET', '/notifications')).statusCode).toBe(401);
    expect((await api.request('POST', '/notifications/read', { body: {} })).statusCode).toBe(401);
    const bad = await api.request('POST', '/notifications/read', { token: user.token, body: { upTo: 'abc' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: { upTo: ['must be the id of a notification'] } });
    expect((await api.request('GET', '/notifications?limit=0', { token: user.token })).statusCode).toBe(422);
  });
});
