import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { sharedRateLimitOptions } from '../../src/adapters/redis/redis-rate-limit-store.js';
import { deleteNamespace, openTestLink, uniquePrefix } from '../adapters/redis/redis-test-support.js';
import { startFakeApp, type FakeApp } from './support/fake-deps.js';

const OTHER_USER = '00000000-0000-4000-8000-000000000002';

describe('rate limit per user or address', () => {
  const apps: FakeApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.app.close();
  });
  const start = async (...args: Parameters<typeof startFakeApp>) => {
    const app = await startFakeApp(...args);
    apps.push(app);
    return app;
  };
  const get = (app: FakeApp, token?: string) =>
    app.app.inject({ method: 'GET', url: '/api/tags', headers: token ? { authorization: `Token ${token}` } : {} });

  it('counts a signed-in user apart from other users and from anonymous requests of the same address', async () => {
    const fake = await start({ options: { rateLimitPerMinute: 2 } });
    const other = fake.tokens.issue(OTHER_USER);
    expect([(await get(fake, fake.token)).statusCode, (await get(fake, fake.token)).statusCode]).toEqual([200, 200]);
    const limited = await get(fake, fake.token);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
    expect((await get(fake, other)).statusCode).toBe(200);
    expect((await get(fake)).statusCode).toBe(200);
  });

  it('counts a token that does not verify against the address it came from', async () => {
    const fake = await start({ options: { rateLimitPerMinute: 2 } });
    expect((await get(fake)).statusCode).toBe(200);
    expect((await get(fake, 'not.a.token')).statusCode).toBe(401);
    expect((await get(fake, 'still.not.one')).statusCode).toBe(429);
  });

  describe('with the counters in Redis', () => {
    const prefix = uniquePrefix('http-rate-limit');
    let link: RedisLink;
    afterAll(async () => {
      if (link === undefined) return;
      await deleteNamespace(link, prefix);
      await link.close();
    });

    it('lets two replicas together allow the limit once', async () => {
      link = await openTestLink();
      const store = sharedRateLimitOptions({ link, prefix });
      const one = await start({ options: { rateLimitPerMinute: 4 }, rateLimitStore: store });
      const two = await start({ options: { rateLimitPerMinute: 4 }, rateLimitStore: store });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(i % 2 ? two : one, one.token)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    });
  });
});
