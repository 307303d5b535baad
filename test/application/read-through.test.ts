import { Ok, type Result } from 'ts-results-es';
import { describe, expect, it } from 'vitest';
import { KeyvMemoryCache } from '../../src/adapters/keyv/keyv-memory-cache.js';
import { OffCache } from '../../src/adapters/keyv/off-cache.js';
import type { Cache } from '../../src/application/caching/cache.js';
import { tags } from '../../src/application/caching/cache-tags.js';
import { readThroughCache } from '../../src/application/caching/read-through.js';
import type { Executes } from '../../src/application/use-cases.js';

/**
 * The read-through rules on a fake profile query whose read store the test controls: what
 * the store holds, and when each query it receives answers.
 */
interface Profile {
  readonly id: string;
  readonly username: string;
}

class ControlledProfiles {
  current: Profile | null = { id: 'u1', username: 'jake' };
  queries = 0;
  /** While set, each query waits for `release()` and answers what the store held when it was sent. */
  held: (() => void)[] | null = null;

  readonly handler = {
    load: async (_input: { username: string }): Promise<Profile | null> => {
      this.queries += 1;
      const answer = this.current === null ? null : { ...this.current };
      if (this.held !== null) await new Promise<void>((resolve) => this.held?.push(resolve));
      return answer;
    },
    present: async (_input: { username: string }, data: Profile | null): Promise<Result<string | null, never>> =>
      Ok(data?.username ?? null),
    execute: async (input: { username: string }) => this.handler.present(input, await this.handler.load(input)),
  };

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const resolve of waiting) resolve();
  }
}

function cachedProfiles(cache: Cache, store: ControlledProfiles) {
  const wrapped = readThroughCache(cache, { item: 60_000, list: 60_000 }).wrap(
    'getProfile',
    'query',
    store.handler as unknown as Executes<unknown>,
  );
  return async (username = 'jake') => ((await wrapped.execute({ username })) as Result<string | null, never>).unwrap();
}

const memoryCache = () => new KeyvMemoryCache({ maxEntries: 100, maxBytes: 1_000_000 });
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('read-through cache', () => {
  it('stores a key never seen on its second miss: the first learns which ids the data embeds', async () => {
    const store = new ControlledProfiles();
    const read = cachedProfiles(memoryCache(), store);
    expect(await read()).toBe('jake');
    expect(await read()).toBe('jake');
    expect(store.queries).toBe(2);
    for (let i = 0; i < 5; i++) expect(await read()).toBe('jake');
    expect(store.queries).toBe(2);
  });

  it('misses once after a bump of a tag the entry depends on, and refills with one query', async () => {
    const cache = memoryCache();
    const store = new ControlledProfiles();
    const read = cachedProfiles(cache, store);
    await read();
    await read();
    store.current = { id: 'u1', username: 'jake2' };
    expect(await read()).toBe('jake');
    await cache.bump([tags.user('u1')]);
    expect(await read()).toBe('jake2');
    expect(await read()).toBe('jake2');
    expect(store.queries).toBe(3);
  });

  it('never hands a request the answer of a query sent before it began, if a write was bumped in between', async () => {
    const cache = memoryCache();
    const store = new ControlledProfiles();
    const read = cachedProfiles(cache, store);
    await read();
    await read();
    await cache.bump([tags.user('u1')]);

    // A reader misses and sends its query; it is held, answering the old name.
    store.held = [];
    const early = read();
    await flush();
    expect(store.queries).toBe(3);
    // The write commits and is bumped; then the writer reads, while the old query is still out.
    store.current = { id: 'u1', username: 'jacob' };
    await cache.bump([tags.user('u1')]);
    const writer = read();
    await flush();
    store.release();
    expect(await early).toBe('jake');
    // The writer did not take the early answer: it made a query of its own, after its write.
    store.release();
    expect(await writer).toBe('jacob');
    expect(store.queries).toBe(4);
  });

  it('shares one query among requests that all began before it was sent', async () => {
    const store = new ControlledProfiles();
    const read = cachedProfiles(memoryCache(), store);
    store.held = [];
    const readers = Array.from({ length: 20 }, () => read());
    await flush();
    store.release();
    expect(await Promise.all(readers)).toEqual(Array(20).fill('jake'));
    expect(store.queries).toBe(1);
  });

  it('goes to the read store every time when the cache cannot answer', async () => {
    const store = new ControlledProfiles();
    const read = cachedProfiles(new OffCache(), store);
    for (let i = 0; i < 3; i++) expect(await read()).toBe('jake');
    expect(store.queries).toBe(3);
  });

  it('caches a name nobody holds until someone takes it', async () => {
    const cache = memoryCache();
    const store = new ControlledProfiles();
    store.current = null;
    const read = cachedProfiles(cache, store);
    await read('ghost');
    expect(await read('ghost')).toBeNull();
    expect(await read('ghost')).toBeNull();
    expect(store.queries).toBe(1);
    store.current = { id: 'u9', username: 'ghost' };
    await cache.bump([tags.username('ghost')]);
    expect(await read('ghost')).toBe('ghost');
  });
});
