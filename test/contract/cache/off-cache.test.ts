import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '../../../src/adapters/keyv/create-cache.js';
import type { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { deleteNamespace, openTestLink, uniquePrefix } from '../../adapters/redis/redis-test-support.js';

const HOUR = 3_600_000;
const bounds = { maxEntries: 100, maxBytes: 100_000 };

describe('the off cache (CACHE=off)', () => {
  const cache = createCache({ mode: 'off', l1: false, prefix: 'unused', ...bounds });

  it('stores nothing and hands out no stamps, so every caller goes to the read store', async () => {
    expect(cache.kind).toBe('off');
    expect(cache.state()).toBe('off');
    await cache.set([{ key: 'k', value: 'v', ttlMs: HOUR }]);
    expect(await cache.get(['k', 'other'])).toEqual([undefined, undefined]);
    expect(await cache.stamps(['article:1'])).toBeNull();
    await expect(cache.bump(['article:1'])).resolves.toBeUndefined();
    await expect(cache.bumpAll()).resolves.toBeUndefined();
    expect(await cache.stamps(['article:1'])).toBeNull();
    await expect(cache.close()).resolves.toBeUndefined();
  });
});

describe('createCache', () => {
  let link: RedisLink;
  const prefix = uniquePrefix('factory');
  beforeAll(async () => {
    link = await openTestLink();
  });
  afterAll(async () => {
    await deleteNamespace(link, prefix);
    await link.close();
  });

  it('chooses the adapter from the settings', async () => {
    const kinds = [
      createCache({ mode: 'off', redis: link, l1: true, prefix, ...bounds }),
      createCache({ mode: 'on', l1: true, prefix, ...bounds }),
      createCache({ mode: 'on', redis: link, l1: false, prefix, ...bounds }),
      createCache({ mode: 'on', redis: link, l1: true, prefix, ...bounds }),
    ];
    expect(kinds.map((cache) => cache.kind)).toEqual(['off', 'memory', 'redis', 'memory+redis']);
    for (const cache of kinds) await cache.close();
  });

  it('keeps the Redis caches under the deployment prefix', async () => {
    const cache = createCache({ mode: 'on', redis: link, l1: false, prefix, ...bounds });
    await cache.set([{ key: 'article:slug:x', value: 1, ttlMs: HOUR }]);
    await cache.stamps(['article:1']);
    const keys: string[] = [];
    for await (const batch of link.client.scanIterator({ MATCH: `${prefix}:*` })) keys.push(...batch);
    expect(keys.sort()).toEqual([`${prefix}:cache:entry:article:slug:x`, `${prefix}:cache:epoch`, `${prefix}:cache:stamp:article:1`]);
    await cache.close();
  });
});
