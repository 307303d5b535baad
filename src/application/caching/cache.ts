/**
 * The query side's cache: a key/value store for entries plus a store of version stamps.
 *
 * An entry depends on tags (`article:<id>`, `user:<id>`, `list:all`…). Its value embeds
 * the stamps those tags had when it was built; it is valid only while they are still the
 * current stamps. The projector invalidates by bumping the stamps of the tags an event
 * touched, after the read model is committed. Validation is the application's job; this
 * port only stores (docs/adr/012-query-cache-stamps-and-read-through.md).
 *
 * Every method is infrastructure that may be down or slow: each one answers within a
 * bounded wait and never rejects, so a cache outage degrades to the read store and never
 * becomes an error.
 */
export interface CacheEntry {
  readonly key: string;
  /** JSON data (objects, arrays, strings, finite numbers, booleans, null). */
  readonly value: unknown;
  /** Lifetime in milliseconds; a positive integer. */
  readonly ttlMs: number;
}

/** 'ok': serving; 'degraded': the shared tier is unreachable (the cache bypasses itself); 'off': disabled. */
export type CacheState = 'ok' | 'degraded' | 'off';

export interface Cache {
  /** 'memory', 'redis', 'memory+redis' or 'off' (logs, readiness detail). */
  readonly kind: string;
  /**
   * The values stored under the keys, in the same order, `undefined` where absent or
   * expired, or when the cache cannot answer (outage, slow backend, 'degraded', 'off').
   * A value is a copy: mutating it never changes the cache.
   */
  get(keys: readonly string[]): Promise<readonly unknown[]>;
  /** Stores the entries, best effort (copies are stored: later changes to the values do not leak in). */
  set(entries: readonly CacheEntry[]): Promise<void>;
  /**
   * The current stamps of the tags, in the same order, creating the missing ones. Always
   * read from the tier every process shares (never from a per-process copy), so a bump by
   * any process is visible to the next call of every process. `null` when that tier cannot
   * answer within the bounded wait, or while bumps made during an outage are not yet
   * applied: the caller then bypasses the cache.
   */
  stamps(tags: readonly string[]): Promise<readonly string[] | null>;
  /**
   * Like stamps(), for a reader who is nobody's writer (an anonymous HTTP request): may
   * answer from this process's copies of stamps read from the shared tier, which always
   * reflect this process's own bumps and are forgotten as other processes' bumps are
   * pushed to it; each lives at most a second, which bounds what a lost push can hide
   * (ADR 019). So the common hit costs no round trip. `null` in the same cases as stamps().
   */
  recentStamps(tags: readonly string[]): Promise<readonly string[] | null>;
  /**
   * Replaces the tags' stamps with fresh ones, invalidating every entry built on them.
   * When the shared tier is unreachable the tags are remembered and bumped as soon as it
   * answers again, before the cache reports 'ok' again.
   */
  bump(tags: readonly string[]): Promise<void>;
  /**
   * Replaces every stamp at once, invalidating every entry stored so far: after a read-model
   * rebuild swaps generations (ADR 007), whose data no tag describes. Same outage rules as bump().
   */
  bumpAll(): Promise<void>;
  state(): CacheState;
  /** Releases what the cache opened itself (a shared Redis connection is closed by its owner). */
  close(): Promise<void>;
}
export const Cache = Symbol.for('Cache');
