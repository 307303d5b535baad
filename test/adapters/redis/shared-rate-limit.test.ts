import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { sharedRateLimitOptions, type SharedRateLimitOptions } from '../../../src/adapters/redis/redis-rate-limit-store.js';
import { deleteNamespace, openTestLink, OwnRedisServer, RecordingLogger, uniquePrefix } from './redis-test-support.js';

const LIMIT = 5;

/** One API replica: the plugin counting in Redis, registered as the HTTP adapter does. */
async function replica(options: SharedRateLimitOptions, max = LIMIT) {
  const app = Fastify();
  await app.register(rateLimit, { ...sharedRateLimitOptions(options), max, timeWindow: 60_000, hook: 'onRequest' });
  app.get('/api/tags', async () => ({ tags: [] }));
  await app.ready();
  return app;
}
type Replica = Awaited<ReturnType<typeof replica>>;

const byUserOrAddress = (request: FastifyRequest) => {
  const user = request.headers['x-test-user'];
  return typeof user === 'string' ? `user:${user}` : `ip:${request.ip}`;
};

describe('rate limits shared by replicas through Redis', () => {
  const prefix = uniquePrefix('rate-limit');
  const links: RedisLink[] = [];
  const apps: Replica[] = [];
  let one: Replica;
  let two: Replica;

  const open = async (space: string, keyGenerator?: SharedRateLimitOptions['keyGenerator']) => {
    const link = await openTestLink();
    links.push(link);
    const app = await replica({ link, prefix: `${prefix}-${space}`, keyGenerator });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    one = await open('pair');
    two = await open('pair');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const space of ['pair', 'burst', 'users']) await deleteNamespace(links[0]!, `${prefix}-${space}`);
    for (const link of links) await link.close();
  });

  it('lets exactly the limit through across two replicas, then answers 429 with Retry-After and the limit headers', async () => {
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const response = await (i % 2 === 0 ? one : two).inject({ method: 'GET', url: '/api/tags' });
      statuses.push(response.statusCode);
      remaining.push(String(response.headers['x-ratelimit-remaining']));
    }
    expect(statuses).toEqual(Array(LIMIT).fill(200));
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    for (const app of [two, one]) {
      const refused = await app.inject({ method: 'GET', url: '/api/tags' });
      expect(refused.statusCode).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(refused.headers['x-ratelimit-reset'])).toBe(retryAfter);
    }
  });

  it('counts atomically: of a burst of concurrent requests on both replicas, exactly the limit pass', async () => {
    const a = await open('burst');
    const b = await open('burst');
    const responses = await Promise.all(
      Array.from({ length: 4 * LIMIT }, (_, i) => (i % 2 === 0 ? a : b).inject({ method: 'GET', url: '/api/tags' })),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3 * LIMIT);
  });

  it('counts per key from the key generator: a user apart from other users and from anonymous addresses', async () => {
    const a = await open('users', byUserOrAddress);
    const b = await open('users', byUserOrAddress);
    const as = (app: Replica, user?: string) =>
      app.inject({ method: 'GET', url: '/api/tags', headers: user === undefined ? {} : { 'x-test-user': user } });
    for (let i = 0; i < LIMIT; i++) expect((await as(i % 2 ? a : b, 'jake')).statusCode).toBe(200);
    expect((await as(a, 'jake')).statusCode).toBe(429);
    expect((await as(b, 'jacob')).statusCode).toBe(200);
    expect((await as(a)).statusCode).toBe(200);
  });
});

describe('rate limits when Redis is down', () => {
  let server: OwnRedisServer;
  let link: RedisLink;
  let app: Replica;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    link = await RedisLink.open({ url: server.url, logger, timeoutMs: 1000, probeIntervalMs: 100 });
    app = await replica({ link, prefix: uniquePrefix('rate-limit-down') }, 2);
  });
  afterAll(async () => {
    await app?.close();
    await link?.close();
    await server?.stop();
  });

  it('lets requests through (fail open) and logs the outage once', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(429);

    await server.kill();
    for (let i = 0; i < 10; i++) expect((await app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(200);
    expect(link.state()).toBe('degraded');
    expect(logger.count('warn')).toBe(1);
  });
});
