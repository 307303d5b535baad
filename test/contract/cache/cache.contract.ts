import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cache } from '../../../src/application/caching/cache.js';

export interface CacheTestOptions {
  readonly stampTtlMs?: number;
  /** How long recentStamps() may answer from this process's copies (shared tiers only). */
  readonly recentStampsMs?: number;
}

/**
 * One adapter of the Cache port, as the contract drives it. A "space" is one deployment:
 * two caches opened in the same space are two processes of it (replicas).
 */
export interface CacheSubject {
  /** Stamps and entries live in a tier every process of the space shares (Redis). */
  readonly shared: boolean;
  open(space: string, options?: CacheTestOptions): Promise<Cache>;
  /** Removes what the space left behind (Redis keys); closes nothing. */
  cleanUp(space: string): Promise<void>;
  /** Closes what the subject opened (connections). */
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** JSON data of every kind, including the awkward ones (colon-prefixed strings, unicode, deep nesting). */
const JSON_VALUES: readonly unknown[] = [
  { article: { slug: 'how-to-train-your-dragon', tagList: ['dragons', 'training'], favoritesCount: 0 } },
  [1, -2.5, 0, 1e21, 'two', null, true, false, [], {}],
  ':starts-with-a-colon',
  '::base64:AAAA',
  'naïve café – 日本語 – 🐉',
  '',
  0,
  -17.25,
  true,
  null,
  { deep: { deeper: { deepest: [{ a: 1 }, { b: [null, { c: 'd' }] }] } } },
];

export function cacheContract(kind: string, subject: CacheSubject): void {
  describe(`Cache contract (${kind})`, () => {
    let space: string;
    const opened: Cache[] = [];
    const open = async (options?: CacheTestOptions): Promise<Cache> => {
      const cache = await subject.open(space, options);
      opened.push(cache);
      return cache;
    };
    let cache: Cache;

    beforeEach(async () => {
      space = `space-${Math.random().toString(36).slice(2, 10)}`;
      cache = await open();
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await subject.cleanUp(space);
    });
    afterAll(() => subject.close());

    it('names its kind and is ok', () => {
      expect(cache.kind).toBe(kind);
      expect(cache.state()).toBe('ok');
    });

    it('answers undefined for keys never set, in the order asked, and nothing for no keys', async () => {
      expect(await cache.get(['never:a', 'never:b', 'never:a'])).toEqual([undefined, undefined, undefined]);
      expect(await cache.get([])).toEqual([]);
    });

    it('returns what was set, in the order asked, with the misses in place', async () => {
      await cache.set([
        { key: 'k:1', value: { n: 1 }, ttlMs: HOUR },
        { key: 'k:2', value: { n: 2 }, ttlMs: HOUR },
      ]);
      expect(await cache.get(['k:2', 'k:missing', 'k:1', 'k:2'])).toEqual([{ n: 2 }, undefined, { n: 1 }, { n: 2 }]);
    });

    it('round-trips JSON data of every kind', async () => {
      const entries = JSON_VALUES.map((value, i) => ({ key: `json:${i}`, value, ttlMs: HOUR }));
      await cache.set(entries);
      expect(await cache.get(entries.map((entry) => entry.key))).toEqual(JSON_VALUES);
    });

    it('hands out copies: mutating a value read, or the value given to set, never changes the cache', async () => {
      const original = { title: 'first', tags: ['a'] };
      await cache.set([{ key: 'copy', value: original, ttlMs: HOUR }]);
      original.title = 'changed after set';
      original.tags.push('b');
      const [read] = (await cache.get(['copy'])) as [{ title: string; tags: string[] }];
      expect(read).toEqual({ title: 'first', tags: ['a'] });
      read.title = 'changed after get';
      read.tags.length = 0;
      expect(await cache.get(['copy'])).toEqual([{ title: 'first', tags: ['a'] }]);
    });

    it('replaces an entry set again', async () => {
      await cache.set([{ key: 'again', value: 'old', ttlMs: HOUR }]);
      await cache.set([{ key: 'again', value: 'new', ttlMs: HOUR }]);
      expect(await cache.get(['again'])).toEqual(['new']);
    });

    it('forgets an entry when its lifetime ends, and keeps the others', async () => {
      await cache.set([
        { key: 'short', value: 'gone soon', ttlMs: 150 },
        { key: 'long', value: 'stays', ttlMs: HOUR },
      ]);
      await vi.waitFor(async () => expect(await cache.get(['short'])).toEqual([undefined]), { timeout: 10_000, interval: 50 });
      expect(await cache.get(['long'])).toEqual(['stays']);
    });

    it('ignores what cannot be stored without rejecting: no lifetime, or a value JSON cannot represent', async () => {
      const cyclic: Record<string, unknown> = { name: 'cycle' };
      cyclic.self = cyclic;
      await expect(
        cache.set([
          { key: 'no-ttl', value: 'x', ttlMs: 0 },
          { key: 'negative-ttl', value: 'x', ttlMs: -5 },
        ]),
      ).resolves.toBeUndefined();
      await expect(cache.set([{ key: 'bigint', value: 10n, ttlMs: HOUR }])).resolves.toBeUndefined();
      await expect(cache.set([{ key: 'cyclic', value: cyclic, ttlMs: HOUR }])).resolves.toBeUndefined();
      expect(await cache.get(['no-ttl', 'negative-ttl', 'bigint', 'cyclic'])).toEqual([undefined, undefined, undefined, undefined]);
      expect(cache.state()).toBe('ok');
    });

    it('creates stamps on first read and keeps them until bumped; a tag asked twice has one stamp', async () => {
      const first = await cache.stamps(['article:1', 'user:1', 'list:all']);
      expect(first).not.toBeNull();
      expect(new Set(first).size).toBe(3);
      for (const stamp of first!) expect(stamp).toMatch(/\S{8,}/);
      expect(await cache.stamps(['article:1', 'user:1', 'list:all'])).toEqual(first);
      expect(await cache.stamps(['list:all', 'article:1', 'list:all'])).toEqual([first![2], first![0], first![2]]);
      expect(await cache.stamps([])).toEqual([]);
    });

    it('bumps exactly the tags named, each to a stamp never seen before', async () => {
      const before = (await cache.stamps(['article:1', 'article:2', 'user:1']))!;
      await cache.bump(['article:1', 'user:1']);
      const after = (await cache.stamps(['article:1', 'article:2', 'user:1']))!;
      expect(after[1]).toBe(before[1]);
      expect(after[0]).not.toBe(before[0]);
      expect(after[2]).not.toBe(before[2]);
      await cache.bump(['article:1']);
      const again = (await cache.stamps(['article:1']))!;
      expect([before[0], after[0]]).not.toContain(again[0]);
      await expect(cache.bump([])).resolves.toBeUndefined();
    });

    it('bumps a tag that has no stamp yet without trouble', async () => {
      await cache.bump(['never-read']);
      const [stamp] = (await cache.stamps(['never-read']))!;
      expect(await cache.stamps(['never-read'])).toEqual([stamp]);
    });

    it('bumps every stamp at once, including tags never bumped, and keeps new stamps stable', async () => {
      const before = (await cache.stamps(['article:1', 'user:1', 'list:all']))!;
      await cache.bumpAll();
      const after = (await cache.stamps(['article:1', 'user:1', 'list:all']))!;
      after.forEach((stamp, i) => expect(stamp).not.toBe(before[i]));
      expect(await cache.stamps(['article:1', 'user:1', 'list:all'])).toEqual(after);
    });

    it('recreates a stamp whose lifetime ended', async () => {
      const short = await open({ stampTtlMs: 150 });
      const [first] = (await short.stamps(['article:expiring']))!;
      await vi.waitFor(async () => expect((await short.stamps(['article:expiring']))![0]).not.toBe(first), {
        timeout: 10_000,
        interval: 50,
      });
    });

    it('lets an entry embed its stamps; after a bump the embedded ones no longer match', async () => {
      const tags = ['article:7', 'user:3'];
      const stamps = (await cache.stamps(tags))!;
      await cache.set([{ key: 'article:slug:seven', value: { stamps, view: { slug: 'seven' } }, ttlMs: HOUR }]);
      const [entry] = (await cache.get(['article:slug:seven'])) as [{ stamps: string[] }];
      expect(entry.stamps).toEqual(await cache.stamps(tags));
      await cache.bump(['user:3']);
      expect(entry.stamps).not.toEqual(await cache.stamps(tags));
    });

    it('answers recentStamps like stamps, and with this process`s own bumps at once', async () => {
      const lagging = await open({ recentStampsMs: 1000 });
      const first = (await lagging.recentStamps(['article:1', 'list:all']))!;
      expect(await lagging.stamps(['article:1', 'list:all'])).toEqual(first);
      await lagging.bump(['article:1']);
      const after = (await lagging.recentStamps(['article:1', 'list:all']))!;
      expect(after[0]).not.toBe(first[0]);
      expect(after[1]).toBe(first[1]);
      await lagging.bumpAll();
      expect(await lagging.recentStamps(['list:all'])).not.toEqual([first[1]]);
    });

    if (subject.shared) {
      it('lets recentStamps lag behind another process`s bump for the window at most', async () => {
        const lagging = await open({ recentStampsMs: 600 });
        const replica = await open();
        const readAt = performance.now();
        const first = (await lagging.recentStamps(['article:1']))!;
        await replica.bump(['article:1']);
        const current = (await lagging.stamps(['article:1']))!;
        expect(current).not.toEqual(first);
        // Within the window the copy may still answer (only checked while surely inside it).
        const copy = await lagging.recentStamps(['article:1']);
        if (performance.now() - readAt < 400) expect(copy).toEqual(first);
        await new Promise((resolve) => setTimeout(resolve, 650));
        expect(await lagging.recentStamps(['article:1'])).toEqual(current);
      });

      it('never lags without a window: recentStamps then reads the shared tier every time', async () => {
        const replica = await open();
        const first = (await cache.recentStamps(['article:1']))!;
        await replica.bump(['article:1']);
        expect(await cache.recentStamps(['article:1'])).not.toEqual(first);
      });

      it('shares stamps between two processes: a bump by one is seen by the next read of the other', async () => {
        const replica = await open();
        const mine = (await cache.stamps(['article:1', 'list:all']))!;
        expect(await replica.stamps(['article:1', 'list:all'])).toEqual(mine);
        await replica.bump(['article:1']);
        const seen = (await cache.stamps(['article:1', 'list:all']))!;
        expect(seen[0]).not.toBe(mine[0]);
        expect(seen[1]).toBe(mine[1]);
        expect(await replica.stamps(['article:1', 'list:all'])).toEqual(seen);
      });

      it('shares a bump of everything with the other process', async () => {
        const replica = await open();
        const mine = (await cache.stamps(['article:1']))!;
        await replica.bumpAll();
        expect(await cache.stamps(['article:1'])).not.toEqual(mine);
      });

      it('shares entries between two processes', async () => {
        const replica = await open();
        await cache.set([{ key: 'shared:entry', value: { from: 'first' }, ttlMs: HOUR }]);
        expect(await replica.get(['shared:entry'])).toEqual([{ from: 'first' }]);
      });

      it('never serves stale stamps from a process that holds the entry: its next read sees the other process`s bump', async () => {
        const replica = await open();
        const stamps = (await cache.stamps(['article:9']))!;
        await cache.set([{ key: 'article:slug:nine', value: { stamps }, ttlMs: HOUR }]);
        expect(await cache.get(['article:slug:nine'])).toEqual([{ stamps }]);
        await replica.bump(['article:9']);
        const [entry] = (await cache.get(['article:slug:nine'])) as [{ stamps: string[] }];
        expect(await cache.stamps(['article:9'])).not.toEqual(entry.stamps);
      });

      it('keeps deployments apart: another namespace has its own stamps and entries', async () => {
        const mine = (await cache.stamps(['article:1']))!;
        await cache.set([{ key: 'ns:entry', value: 'mine', ttlMs: HOUR }]);
        const otherSpace = `${space}-other`;
        const other = await subject.open(otherSpace);
        try {
          expect(await other.get(['ns:entry'])).toEqual([undefined]);
          expect(await other.stamps(['article:1'])).not.toEqual(mine);
        } finally {
          await other.close();
          await subject.cleanUp(otherSpace);
        }
      });
    }
  });
}
