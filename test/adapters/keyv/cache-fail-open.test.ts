import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KeyvRedisCache } from '../../../src/adapters/keyv/keyv-redis-cache.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import type { Cache } from '../../../src/application/caching/cache.js';
import { OwnRedisServer, RecordingLogger, uniquePrefix } from '../redis/redis-test-support.js';

const HOUR = 3_600_000;
const UNTIL_RECOVERED = { timeout: 20_000, interval: 50 };

/**
 * The redis and memory+redis caches on a Redis of the test's own, frozen (SIGSTOP: nothing
 * answers, connections stay open) and killed (SIGKILL) mid-run. No timing is asserted:
 * "does not hang" means every call resolves, with a miss or null.
 */
describe('cache on a Redis that stops answering', () => {
  let server: OwnRedisServer;
  let logger: RecordingLogger;
  let link: RedisLink;
  /** A second connection used only to look at Redis from outside, as an operator would. */
  let observer: RedisLink;
  let redis: KeyvRedisCache;
  let tiered: KeyvRedisCache;
  const prefix = uniquePrefix('fail-open');

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    logger = new RecordingLogger();
    link = await RedisLink.open({ url: server.url, logger, timeoutMs: 1000, probeIntervalMs: 100, connectTimeoutMs: 1000 });
    observer = await RedisLink.open({ url: server.url, logger: new RecordingLogger(), timeoutMs: 5000, probeIntervalMs: 100 });
    redis = new KeyvRedisCache({ link, prefix: `${prefix}-r` });
    // With recent copies of stamps too, which an outage must not let it serve.
    tiered = new KeyvRedisCache({ link, prefix: `${prefix}-t`, l1: { maxEntries: 100, maxBytes: 100_000 }, recentStampsMs: 1000 });
  });
  afterAll(async () => {
    await redis?.close();
    await tiered?.close();
    await link?.close();
    await observer?.close();
    await server?.stop();
  });

  const bothCaches = (): Cache[] => [redis, tiered];
  const recovered = () =>
    vi.waitFor(() => {
      expect(link.state()).toBe('ok');
      for (const cache of bothCaches()) expect(cache.state()).toBe('ok');
    }, UNTIL_RECOVERED);
  const observerHas = async (key: string) => {
    await vi.waitFor(() => expect(observer.state()).toBe('ok'), UNTIL_RECOVERED);
    return (await observer.client.exists(key)) === 1;
  };

  it('serves normally while Redis answers', async () => {
    for (const cache of bothCaches()) {
      await cache.set([{ key: 'article:slug:a', value: { title: 'A' }, ttlMs: HOUR }]);
      expect(await cache.get(['article:slug:a'])).toEqual([{ title: 'A' }]);
      expect(await cache.stamps(['article:1'])).not.toBeNull();
      expect(await cache.recentStamps(['article:1'])).not.toBeNull();
      expect(cache.state()).toBe('ok');
    }
  });

  // A bump waits the link's longer write-path bound (10 s here) before it is remembered.
  it('answers misses and null instead of hanging while Redis is frozen, and recovers when it thaws', { timeout: 90_000 }, async () => {
    const warnings = logger.count('warn');
    const recoveries = logger.count('info');
    server.freeze();
    try {
      for (const cache of bothCaches()) {
        const [entries, stamps] = await Promise.all([cache.get(['article:slug:a', 'other']), cache.stamps(['article:1'])]);
        expect(entries).toEqual([undefined, undefined]);
        expect(stamps).toBeNull();
        // A copy read a moment ago is not served once the link is degraded.
        expect(await cache.recentStamps(['article:1'])).toBeNull();
        await expect(cache.set([{ key: 'during', value: 1, ttlMs: HOUR }])).resolves.toBeUndefined();
        await expect(cache.bump(['article:1'])).resolves.toBeUndefined();
        expect(cache.state()).toBe('degraded');
      }
      expect(link.state()).toBe('degraded');
      expect(logger.count('warn')).toBe(warnings + 1);
    } finally {
      server.thaw();
    }
    await recovered();
    expect(logger.count('info')).toBe(recoveries + 1);
    for (const cache of bothCaches()) expect(await cache.stamps(['article:1'])).not.toBeNull();
  });

  it('recovers from an outage that saw no bump, and still replays the bumps of the next one', async () => {
    await server.kill();
    for (const cache of bothCaches()) expect(await cache.stamps(['article:1'])).toBeNull();
    await server.restart();
    await recovered();
    await server.kill();
    await redis.bump(['article:second-outage']);
    expect(redis.state()).toBe('degraded');
    await server.restart();
    await recovered();
    expect(await observerHas(`${prefix}-r:cache:stamp:article:second-outage`)).toBe(true);
  });

  it('survives Redis being killed: one warning, bumps remembered and replayed before ok, and works again after a restart', async () => {
    const warnings = logger.count('warn');
    const recoveries = logger.count('info');
    await server.kill();

    for (let call = 0; call < 20; call++) {
      for (const cache of bothCaches()) {
        expect(await cache.get(['article:slug:a'])).toEqual([undefined]);
        expect(await cache.stamps(['article:1', 'user:1'])).toBeNull();
        await expect(cache.set([{ key: `during:${call}`, value: call, ttlMs: HOUR }])).resolves.toBeUndefined();
      }
    }
    await redis.bump(['article:bumped-in-outage', 'list:all']);
    await tiered.bump(['user:bumped-in-outage']);
    for (const cache of bothCaches()) expect(cache.state()).toBe('degraded');
    // The outage is one event, however many calls ran into it.
    expect(logger.count('warn')).toBe(warnings + 1);
    expect(logger.records.at(-1)?.details).toMatchObject({ redis: `127.0.0.1:${server.port}` });

    // Killed with --save "": the restarted server is empty, so any stamp key found right
    // after recovery was written by the replay of the bumps made during the outage.
    await server.restart();
    await recovered();
    expect(await observerHas(`${prefix}-r:cache:stamp:article:bumped-in-outage`)).toBe(true);
    expect(await observerHas(`${prefix}-r:cache:stamp:list:all`)).toBe(true);
    expect(await observerHas(`${prefix}-t:cache:stamp:user:bumped-in-outage`)).toBe(true);
    expect(await observerHas(`${prefix}-r:cache:stamp:user:1`)).toBe(false);
    expect(logger.count('info')).toBe(recoveries + 1);
    expect(logger.count('warn')).toBe(warnings + 1);

    for (const cache of bothCaches()) {
      await cache.set([{ key: 'article:slug:after', value: { title: 'after' }, ttlMs: HOUR }]);
      expect(await cache.get(['article:slug:after'])).toEqual([{ title: 'after' }]);
      const stamps = await cache.stamps(['article:1']);
      expect(stamps).not.toBeNull();
      expect(await cache.stamps(['article:1'])).toEqual(stamps);
    }
  });

  it('invalidates everything through the epoch when an outage saw more bumps than it may remember, or a bumpAll', async () => {
    const small = new KeyvRedisCache({ link, prefix: `${prefix}-s`, maxPendingBumps: 3 });
    const all = new KeyvRedisCache({ link, prefix: `${prefix}-a` });
    try {
      const before = (await small.stamps(['t:1', 't:9']))!;
      expect(before).not.toBeNull();
      expect(await all.stamps(['t:1'])).not.toBeNull();
      await server.kill();
      await small.bump(['t:1', 't:2', 't:3', 't:4', 't:5']);
      await all.bump(['t:1']);
      await all.bumpAll();
      expect(small.state()).toBe('degraded');
      expect(all.state()).toBe('degraded');
      await server.restart();
      await vi.waitFor(() => {
        expect(small.state()).toBe('ok');
        expect(all.state()).toBe('ok');
      }, UNTIL_RECOVERED);
      expect(await observerHas(`${prefix}-s:cache:epoch`)).toBe(true);
      expect(await observerHas(`${prefix}-s:cache:stamp:t:1`)).toBe(false);
      expect(await observerHas(`${prefix}-a:cache:epoch`)).toBe(true);
      const after = (await small.stamps(['t:1', 't:9']))!;
      expect(after[0]).not.toBe(before[0]);
      expect(after[1]).not.toBe(before[1]);
    } finally {
      await small.close();
      await all.close();
    }
  });

  it('starts degraded, without waiting for ever, when Redis is down at start, and comes up with it', async () => {
    await server.kill();
    const startLogger = new RecordingLogger();
    const late = await RedisLink.open({ url: server.url, logger: startLogger, timeoutMs: 1000, probeIntervalMs: 100, connectTimeoutMs: 500 });
    const cache = new KeyvRedisCache({ link: late, prefix: `${prefix}-late` });
    try {
      expect(late.state()).toBe('degraded');
      expect(await cache.stamps(['article:1'])).toBeNull();
      expect(startLogger.count('warn')).toBe(1);
      await server.restart();
      await vi.waitFor(() => expect(cache.state()).toBe('ok'), UNTIL_RECOVERED);
      expect(await cache.stamps(['article:1'])).not.toBeNull();
      expect(startLogger.count('warn')).toBe(1);
      expect(startLogger.count('info')).toBe(1);
    } finally {
      await cache.close();
      await late.close();
    }
  });
});
