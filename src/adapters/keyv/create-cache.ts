import type { Cache } from '../../application/caching/cache.js';
import type { ChannelListener } from '../redis/redis-channel.js';
import type { RedisLink } from '../redis/redis-link.js';
import { KeyvMemoryCache } from './keyv-memory-cache.js';
import { KeyvRedisCache } from './keyv-redis-cache.js';
import { OffCache } from './off-cache.js';

export interface CreateCacheOptions {
  readonly mode: 'on' | 'off';
  /** The shared tier (REDIS_URL): entries and stamps in Redis. Absent → process memory only. */
  readonly redis?: RedisLink | undefined;
  /** With Redis: keep entries in a bounded in-process first tier too (stamps always come from Redis). */
  readonly l1: boolean;
  /** Bounds of process memory (the memory cache, or the first tier in front of Redis). */
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Redis key namespace of the deployment (`<prefix>:cache:…`). */
  readonly prefix: string;
  /** Lifetime of a stamp nobody bumps (default 24 h). */
  readonly stampTtlMs?: number;
  /** With Redis: how long anonymous readers may be answered from stamps this process read (ms, at most 1000). */
  readonly recentStampsMs?: number;
  /** With Redis: bumps pushed over a channel; how long a copy of a stamp may be kept while they are (ms, at most 1000; 0: no channel). */
  readonly pushedStampsMs?: number;
  /** With Redis: subscribes to a channel on a connection of its own (for the pushed bumps). */
  readonly subscribe?: (channel: string, listener: ChannelListener) => { close(): Promise<void> };
}

/** The composition root's one call: off, memory, redis or memory+redis, from the configuration. */
export function createCache(options: CreateCacheOptions): Cache {
  if (options.mode === 'off') return new OffCache();
  const bounds = { maxEntries: options.maxEntries, maxBytes: options.maxBytes };
  if (options.redis === undefined) return new KeyvMemoryCache({ ...bounds, stampTtlMs: options.stampTtlMs });
  return new KeyvRedisCache({
    link: options.redis,
    prefix: options.prefix,
    l1: options.l1 ? bounds : undefined,
    stampTtlMs: options.stampTtlMs,
    recentStampsMs: options.recentStampsMs,
    pushedStampsMs: options.pushedStampsMs,
    subscribe: options.subscribe,
  });
}
