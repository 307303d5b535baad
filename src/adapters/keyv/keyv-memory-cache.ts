import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Cache, CacheEntry, CacheState } from '../../application/caching/cache.js';
import { boundedMemoryStore, type MemoryBounds } from './bounded-memory-store.js';
import { DEFAULT_STAMP_TTL_MS, freshStamp, JSON_SERIALIZATION, missing, storable } from './cache-values.js';

export interface MemoryCacheOptions extends MemoryBounds {
  /** Lifetime of a stamp that is not bumped (default 24 h). */
  readonly stampTtlMs?: number;
  /** Most stamps kept (default: maxEntries); an evicted stamp is recreated, which only costs misses. */
  readonly maxStamps?: number;
}

/**
 * The cache of a single process: entries and stamps in bounded process memory. It is the
 * shared tier only when one process serves and projects; with several API replicas or
 * separate projector workers, a bump made by one process would never reach the others
 * (use Redis, or no cache).
 */
export class KeyvMemoryCache implements Cache {
  readonly kind = 'memory';
  private readonly entries: Keyv;
  private readonly stampsByTag: LRUCache<string, string>;

  constructor(options: MemoryCacheOptions) {
    this.entries = new Keyv({
      store: boundedMemoryStore(options),
      namespace: undefined,
      useKeyPrefix: false,
      ...JSON_SERIALIZATION,
    });
    this.stampsByTag = new LRUCache<string, string>({
      max: Math.max(1, Math.floor(options.maxStamps ?? options.maxEntries)),
      ttl: options.stampTtlMs ?? DEFAULT_STAMP_TTL_MS,
    });
  }

  async get(keys: readonly string[]): Promise<readonly unknown[]> {
    if (keys.length === 0) return [];
    try {
      return await this.entries.getMany<unknown>([...keys]);
    } catch {
      return missing(keys.length);
    }
  }

  async set(entries: readonly CacheEntry[]): Promise<void> {
    const valid = storable(entries);
    if (valid.length === 0) return;
    try {
      await this.entries.setMany(valid.map(({ key, value, ttlMs }) => ({ key, value, ttl: ttlMs })));
    } catch {
      // Best effort: a value JSON cannot represent (a cycle, a BigInt) is simply not cached.
    }
  }

  async stamps(tags: readonly string[]): Promise<readonly string[]> {
    return tags.map((tag) => {
      let stamp = this.stampsByTag.get(tag);
      if (stamp === undefined) {
        stamp = freshStamp();
        this.stampsByTag.set(tag, stamp);
      }
      return stamp;
    });
  }

  /** The stamps are this process's own: they are always current. */
  recentStamps(tags: readonly string[]): Promise<readonly string[]> {
    return this.stamps(tags);
  }

  async bump(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.stampsByTag.set(tag, freshStamp());
  }

  /** Every stamp is recreated on its next read, with a fresh token. */
  async bumpAll(): Promise<void> {
    this.stampsByTag.clear();
  }

  state(): CacheState {
    return 'ok';
  }

  async close(): Promise<void> {
    this.stampsByTag.clear();
    await this.entries.clear();
  }
}
