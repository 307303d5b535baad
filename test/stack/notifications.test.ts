import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../deploy/stack/endpoints.js';
import { Api, expectStatus, register } from './support/api.js';
import { runId, stackFromEnv } from './support/endpoints.js';

/**
 * Notifications through the whole shape: a write on one replica goes through the outbox,
 * the relay process and the broker to the notifier process, and the notification is read
 * through the other replica and through nginx.
 */
const stack = stackFromEnv();

describe.skipIf(stack === undefined)('notifications across the stack (relay, broker, notifier)', () => {
  const endpoints = stack as StackEndpoints;

  it('tells a follower of a publication made on another replica', async () => {
    const [first, second] = endpoints.replicas.map((replica) => new Api(replica.api, replica.name));
    const nginx = new Api(endpoints.api, 'nginx');
    const id = runId();
    const author = await register(first as Api, `na${id}`);
    const fan = await register(second as Api, `nf${id}`);
    expectStatus(await (second as Api).request('POST', `/profiles/${author.username}/follow`, { token: fan.token }), 200, 'follow');
    const created = await (first as Api).request<{ article: { slug: string } }>('POST', '/articles', {
      token: author.token,
      body: { article: { title: `Across ${id}`, description: 'd', body: 'b' } },
    });
    expectStatus(created, 201, 'publish');
    interface Page {
      notifications: { type: string; article: { slug: string } | null; actor: { username: string } }[];
    }
    /** The first page that `check` accepts, asked again until then (notifications are built in the background). */
    const eventually = async (api: Api, token: string, check: (page: Page) => boolean): Promise<Page> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const page = await api.get<Page>('/notifications', token);
        if (page.status === 200 && check(page.body)) return page.body;
        if (Date.now() > deadline) throw new Error(`notifications never matched: ${page.status} ${JSON.stringify(page.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const fanPage = await eventually(second as Api, fan.token, (page) => page.notifications.length > 0);
    expect(fanPage.notifications[0]).toMatchObject({
      type: 'article.published',
      actor: { username: author.username },
      article: { slug: created.body.article.slug },
    });
    const authorPage = await eventually(nginx, author.token, (page) => page.notifications.length > 0);
    expect(authorPage.notifications.map((n) => [n.type, n.actor.username])).toEqual([['user.followed', fan.username]]);
  });
});
