import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyvRedisCache } from '../../../src/adapters/keyv/keyv-redis-cache.js';
import type { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { deleteNamespace, namespaceKeys, openTestLink, uniquePrefix } from '../../adapters/redis/redis-test-support.js';
import { cacheContract } from './cache.contract.js';

const HOUR = 3_600_000;
const run = uniquePrefix('cache-l1');
const links: RedisLink[] = [];

cacheContract('memory+redis', {
  shared: true,
  open: async (space, options) => {
    const link = await openTestLink();
    links.push(link);
    return new KeyvRedisCache({ link, prefix: `${run}-${space}`, l1: { maxEntries: 1000, maxBytes: 1_000_000 }, ...options });
  },
  cleanUp: async (space) => {
    const link = await openTestLink();
    try {
      await deleteNamespace(link, `${run}-${space}`);
    } finally {
      await link.close();
    }
  },
  close: async () => {
    for (const link of links.splice(0)) await link.close();
  },
});

describe('memory+redis first tier', () => {
  let link: RedisLink;
  const prefix = `${run}-tier`;
  beforeAll(async () => {
    link = await openTestLink();
  });
  afterAll(async () => {
    await deleteNamespace(link, prefix);
    await link.close();
  });
  const entryKeys = () => namespaceKeys(link, `${prefix}:cache:entry`);

  it('serves entries from process memory, bounded by maxEntries, and everything else from Redis', async () => {
    const cache = new KeyvRedisCache({ link, prefix, l1: { maxEntries: 2, maxBytes: 1_000_000 } });
    for (let i = 1; i <= 4; i++) await cache.set([{ key: `n:${i}`, value: i, ttlMs: HOUR }]);
    expect(await cache.get(['n:1', 'n:2', 'n:3', 'n:4'])).toEqual([1, 2, 3, 4]);
    // Remove the entries from Redis behind the cache's back: only the first tier can still answer.
    expect(await entryKeys()).toHaveLength(4);
    await link.client.del(await entryKeys());
    const fromMemory = (await cache.get(['n:1', 'n:2', 'n:3', 'n:4'])).filter((value) => value !== undefined);
    expect(fromMemory.length).toBeGreaterThan(0);
    expect(fromMemory.length).toBeLessThanOrEqual(2);
    await cache.close();
  });

  it('bounds the first tier by bytes as well', async () => {
    const cache = new KeyvRedisCache({ link, prefix, l1: { maxEntries: 1000, maxBytes: 2000 } });
    const body = 'z'.repeat(600);
    for (let i = 1; i <= 6; i++) await cache.set([{ key: `b:${i}`, value: { i, body }, ttlMs: HOUR }]);
    await link.client.del(await entryKeys());
    const fromMemory = (await cache.get(['b:1', 'b:2', 'b:3', 'b:4', 'b:5', 'b:6'])).filter((value) => value !== undefined);
    expect(fromMemory.length).toBeGreaterThan(0);
    expect(fromMemory.length).toBeLessThanOrEqual(3);
    await cache.close();
  });

  it('fills the first tier from Redis on a read, never beyond the entry`s remaining lifetime', async () => {
    const writer = new KeyvRedisCache({ link, prefix });
    const reader = new KeyvRedisCache({ link, prefix, l1: { maxEntries: 10, maxBytes: 100_000 } });
    await writer.set([{ key: 'short-lived', value: 'from redis', ttlMs: 300 }]);
    expect(await reader.get(['short-lived'])).toEqual(['from redis']);
    // Redis forgets it by itself; the first tier must have forgotten it by then too.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await reader.get(['short-lived'])).toEqual([undefined]);
    await writer.close();
    await reader.close();
  });

  it('reads what it cannot parse under its keys as absent, without degrading', async () => {
    const cache = new KeyvRedisCache({ link, prefix, l1: { maxEntries: 10, maxBytes: 100_000 } });
    await cache.stamps(['article:garbled']);
    await link.client.set(`${prefix}:cache:entry:garbled`, 'not json {');
    await link.client.set(`${prefix}:cache:stamp:article:garbled`, 'not json either');
    expect(await cache.get(['garbled'])).toEqual([undefined]);
    const stamps = await cache.stamps(['article:garbled']);
    expect(stamps).not.toBeNull();
    expect(await cache.stamps(['article:garbled'])).toEqual(stamps);
    expect(cache.state()).toBe('ok');
    await cache.close();
  });

  it('keeps stamps out of process memory: stamps read through the first tier follow Redis', async () => {
    const cache = new KeyvRedisCache({ link, prefix, l1: { maxEntries: 10, maxBytes: 100_000 } });
    const [before] = (await cache.stamps(['article:42']))!;
    // Another process bumps: here, a direct write of the stamp key.
    const stampKeys = await namespaceKeys(link, `${prefix}:cache:stamp`);
    expect(stampKeys).toContain(`${prefix}:cache:stamp:article:42`);
    await link.client.del(`${prefix}:cache:stamp:article:42`);
    const [after] = (await cache.stamps(['article:42']))!;
    expect(after).not.toBe(before);
    await cache.close();
  });
});
