import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyvRedisCache } from '../../../src/adapters/keyv/keyv-redis-cache.js';
import { RedisChannel } from '../../../src/adapters/redis/redis-channel.js';
import type { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { deleteNamespace, openTestLink, uniquePrefix } from '../../adapters/redis/redis-test-support.js';
import { cacheContract } from './cache.contract.js';

const run = uniquePrefix('cache-redis');
/** Each cache gets a link of its own, as each process would. */
const links: RedisLink[] = [];

cacheContract('redis', {
  shared: true,
  open: async (space, options) => {
    const link = await openTestLink();
    links.push(link);
    return new KeyvRedisCache({ link, prefix: `${run}-${space}`, ...options });
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

describe('bumps pushed between processes (pushedStampsMs)', () => {
  const prefix = uniquePrefix('cache-pushed');
  let link: RedisLink;
  let other: RedisLink;
  const caches: KeyvRedisCache[] = [];
  const open = (options: { pushedStampsMs?: number; recentStampsMs?: number } = {}) => {
    const cache = new KeyvRedisCache({ link, prefix, subscribe: (channel, listener) => new RedisChannel(link, channel, listener), ...options });
    caches.push(cache);
    return cache;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** The subscriber connections of this test's caches, by their names. */
  const subscribers = async (): Promise<string[]> => {
    const list = await other.client.sendCommand<string>(['CLIENT', 'LIST', 'TYPE', 'pubsub']);
    return String(list)
      .split('\n')
      .filter((line) => line.includes(`name=${prefix}:cache:bumps:subscriber`))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? '');
  };
  const until = async (what: string, ok: () => Promise<boolean>, ms = 5000) => {
    const due = performance.now() + ms;
    while (!(await ok())) {
      if (performance.now() > due) throw new Error(`not within ${ms} ms: ${what}`);
      await sleep(5);
    }
  };
  /** Overwrites a stamp in Redis behind every cache's back: a bump whose message was lost. */
  const silentBump = async (tag: string) => {
    const key = `${prefix}:cache:stamp:${tag}`;
    const stored = JSON.parse((await other.client.get(key)) ?? 'null') as { value: string } | null;
    expect(stored?.value).toEqual(expect.any(String));
    await other.client.set(key, JSON.stringify({ ...stored, value: `silent${Math.random().toString(36).slice(2)}` }));
  };

  beforeAll(async () => {
    link = await openTestLink();
    other = await openTestLink();
  });
  afterEach(async () => {
    for (const cache of caches.splice(0)) await cache.close();
    await deleteNamespace(other, prefix);
  });
  afterAll(async () => {
    await link?.close();
    await other?.close();
  });

  it('answers from copies while subscribed, and forgets one as soon as another process`s bump arrives', async () => {
    const reader = open({ pushedStampsMs: 1000 });
    const writer = open();
    await until('subscribed', async () => (await subscribers()).length === 1);
    const first = (await reader.recentStamps(['article:1']))!;
    // A bump whose message never comes stays hidden by the copy (the copy is what answers)…
    await silentBump('article:1');
    expect(await reader.recentStamps(['article:1'])).toEqual(first);
    // …but a real bump, from a process that does not even subscribe, is seen long before the copy expires.
    const bumpedAt = performance.now();
    await writer.bump(['article:1']);
    const current = (await writer.stamps(['article:1']))!;
    await until('the pushed bump reaches the reader', async () => (await reader.recentStamps(['article:1']))![0] === current[0], 500);
    expect(performance.now() - bumpedAt).toBeLessThan(500);
    // A bump of everything too.
    const before = (await reader.recentStamps(['list:all']))!;
    await writer.bumpAll();
    await until('the pushed epoch bump reaches the reader', async () => (await reader.recentStamps(['list:all']))![0] !== before[0], 500);
  });

  it('keeps a copy hidden by a lost message for the window at most', async () => {
    const reader = open({ pushedStampsMs: 300 });
    await until('subscribed', async () => (await subscribers()).length === 1);
    const first = (await reader.recentStamps(['article:2']))!;
    await silentBump('article:2');
    await sleep(350);
    expect(await reader.recentStamps(['article:2'])).not.toEqual(first);
  });

  it('keeps no copy while its subscription is down, and answers from copies again once it is back', async () => {
    const reader = open({ pushedStampsMs: 1000 });
    await until('subscribed', async () => (await subscribers()).length === 1);
    const first = (await reader.recentStamps(['article:3']))!;
    const [id] = await subscribers();
    await other.client.sendCommand(['CLIENT', 'KILL', 'ID', id!]);
    // Messages published while it was away are lost: the copies taken before must not answer.
    await silentBump('article:3');
    await until('the lost subscription forgets the copies', async () => (await reader.recentStamps(['article:3']))![0] !== first[0]);
    // Resubscribed (a new connection): copies answer again, so a silent bump is hidden again.
    await until('subscribed again', async () => (await subscribers()).some((each) => each !== id));
    await sleep(50);
    const again = (await reader.recentStamps(['article:3']))!;
    await silentBump('article:3');
    expect(await reader.recentStamps(['article:3'])).toEqual(again);
  });

  it('subscribes to nothing without pushedStampsMs, and then reads Redis every time', async () => {
    const reader = open();
    await sleep(100);
    expect(await subscribers()).toEqual([]);
    const first = (await reader.recentStamps(['article:4']))!;
    await silentBump('article:4');
    expect(await reader.recentStamps(['article:4'])).not.toEqual(first);
  });
});
