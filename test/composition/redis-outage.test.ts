import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArticleReadStore } from '../../src/application/read-side/article.read-store.js';
import { captureLogs } from '../http/support/fake-deps.js';
import { OwnRedisServer, uniquePrefix } from '../adapters/redis/redis-test-support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { PlainTextHasher } from '../support/use-cases.js';

const OUTAGE_LOG = /^Redis unreachable/;
const UNTIL = { timeout: 20_000, interval: 100 };

/**
 * The whole API on a Redis of the test's own (cache, rate limits, login attempts), frozen,
 * then killed mid-run and started again. Every request is answered, fresh, from the read store while
 * Redis is gone; each outage is logged once; readiness stays 200 and names the cache
 * degraded; once Redis is back the cache serves again. The bounded wait is generous, so a
 * loaded machine cannot fake an outage; nothing here asserts a duration.
 */
describe('API with its Redis killed mid-run', () => {
  let redis: OwnRedisServer;
  let test: TestApp;
  const logs = captureLogs('info');
  let token = '';
  let slug = '';
  let reader = '';

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, auth?: string, payload?: object) =>
    test.app.inject({ method, url: `/api${url}`, payload, headers: auth ? { authorization: `Token ${auth}` } : {} });
  const outageLines = () => logs.lines().filter((line) => OUTAGE_LOG.test(String(line.msg)));
  const ready = async () => {
    const answer = await test.app.inject({ method: 'GET', url: '/health/ready' });
    return { status: answer.statusCode, cache: answer.json().checks.cache as string };
  };
  const favorites = async () => (await api('GET', `/articles/${slug}`)).json().article.favoritesCount as number;

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    test = await startTestApp(
      { redisUrl: redis.url, redisPrefix: uniquePrefix('outage'), redisTimeoutMs: 1000, rateLimitPerMinute: 1000 },
      { logger: logs.logger, passwordHasher: new PlainTextHasher() },
    );
    const register = async (name: string) =>
      (await api('POST', '/users', undefined, { user: { username: name, email: `${name}@x.test`, password: 'password123' } })).json().user
        .token as string;
    token = await register('author');
    reader = await register('reader');
    const created = await api('POST', '/articles', token, { article: { title: 'Outage', description: 'd', body: 'b', tagList: [] } });
    slug = created.json().article.slug;
  });
  afterAll(async () => {
    await test?.close();
    await redis?.stop();
  });

  it('serves from the cache while Redis answers', async () => {
    expect(test.application.composition.bindings.Cache).toBe('memory+redis');
    expect(await ready()).toEqual({ status: 200, cache: 'ok' });
    await favorites();
    await favorites();
    const findBySlug = vi.spyOn(test.application.composition.container.get<ArticleReadStore>(ArticleReadStore), 'findBySlug');
    expect(await favorites()).toBe(0);
    expect(findBySlug).not.toHaveBeenCalled();
    findBySlug.mockRestore();
  });

  it('answers reads from the read store while Redis hangs (nothing answers, connections stay open), then recovers', async () => {
    redis.freeze();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await api('GET', `/articles/${slug}`)).statusCode, (await api('GET', '/tags')).statusCode);
      expect(statuses).toEqual(Array(10).fill(200));
      expect(await ready()).toEqual({ status: 200, cache: 'degraded' });
      expect(outageLines()).toHaveLength(1);
    } finally {
      redis.thaw();
    }
    await vi.waitFor(async () => expect(await ready()).toEqual({ status: 200, cache: 'ok' }), UNTIL);
  });

  it('answers every request, fresh, from the read store while Redis is gone; logs the outage once; stays ready', async () => {
    await redis.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await api('GET', `/articles/${slug}`)).statusCode, (await api('GET', '/tags')).statusCode);
    const favourited = await api('POST', `/articles/${slug}/favorite`, reader);
    statuses.push(favourited.statusCode);
    expect(await favorites()).toBe(1);
    const login = await api('POST', '/users/login', undefined, { user: { email: 'reader@x.test', password: 'wrong' } });
    statuses.push(login.statusCode);
    expect(statuses).toEqual([...Array(20).fill(200), 200, 401]);
    expect(await ready()).toEqual({ status: 200, cache: 'degraded' });
    expect(outageLines()).toHaveLength(2);
  });

  it('uses the cache again once Redis is back, with what changed meanwhile', async () => {
    await redis.restart();
    await vi.waitFor(async () => expect(await ready()).toEqual({ status: 200, cache: 'ok' }), UNTIL);
    expect(logs.lines().some((line) => line.msg === 'Redis reachable again')).toBe(true);
    expect(await favorites()).toBe(1);
    await favorites();
    const findBySlug = vi.spyOn(test.application.composition.container.get<ArticleReadStore>(ArticleReadStore), 'findBySlug');
    expect(await favorites()).toBe(1);
    expect(findBySlug).not.toHaveBeenCalled();
    expect(outageLines()).toHaveLength(2);
  });
});
