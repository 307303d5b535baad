import { describe, expect, it } from 'vitest';
import { KeyvMemoryCache } from '../../../src/adapters/keyv/keyv-memory-cache.js';
import { cacheContract } from './cache.contract.js';

const HOUR = 3_600_000;

cacheContract('memory', {
  shared: false,
  open: async (_space, options) => new KeyvMemoryCache({ maxEntries: 1000, maxBytes: 1_000_000, ...options }),
  cleanUp: async () => undefined,
  close: async () => undefined,
});

describe('memory cache bounds', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const cache = new KeyvMemoryCache({ maxEntries: 3, maxBytes: 1_000_000 });
    await cache.set([{ key: 'e:1', value: 1, ttlMs: HOUR }]);
    await cache.set([{ key: 'e:2', value: 2, ttlMs: HOUR }]);
    await cache.set([{ key: 'e:3', value: 3, ttlMs: HOUR }]);
    expect(await cache.get(['e:1'])).toEqual([1]); // e:1 is now the most recently used
    await cache.set([{ key: 'e:4', value: 4, ttlMs: HOUR }]);
    await cache.set([{ key: 'e:5', value: 5, ttlMs: HOUR }]);
    expect(await cache.get(['e:1', 'e:2', 'e:3', 'e:4', 'e:5'])).toEqual([1, undefined, undefined, 4, 5]);
  });

  it('keeps at most maxBytes of entries, dropping the least recently used', async () => {
    const cache = new KeyvMemoryCache({ maxEntries: 1000, maxBytes: 2000 });
    const body = 'x'.repeat(600);
    for (let i = 1; i <= 6; i++) await cache.set([{ key: `b:${i}`, value: { i, body }, ttlMs: HOUR }]);
    const values = await cache.get(['b:1', 'b:2', 'b:3', 'b:4', 'b:5', 'b:6']);
    const kept = values.filter((value) => value !== undefined);
    // Each entry costs over 600 bytes: no more than three can fit in 2000.
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(values.at(-1)).toEqual({ i: 6, body });
    expect(values[0]).toBeUndefined();
  });

  it('does not keep an entry larger than the whole budget, and keeps the others', async () => {
    const cache = new KeyvMemoryCache({ maxEntries: 1000, maxBytes: 2000 });
    await cache.set([{ key: 'small', value: 'fits', ttlMs: HOUR }]);
    await cache.set([{ key: 'huge', value: 'y'.repeat(5000), ttlMs: HOUR }]);
    expect(await cache.get(['huge', 'small'])).toEqual([undefined, 'fits']);
  });

  it('bounds the stamps too: an evicted stamp comes back as a new one (a miss, never a stale hit)', async () => {
    const cache = new KeyvMemoryCache({ maxEntries: 1000, maxBytes: 1_000_000, maxStamps: 2 });
    const [first] = (await cache.stamps(['t:1']))!;
    await cache.stamps(['t:2']);
    await cache.stamps(['t:3']);
    const [again] = (await cache.stamps(['t:1']))!;
    expect(again).not.toBe(first);
  });
});
