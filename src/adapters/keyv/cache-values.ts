import { randomBytes } from 'node:crypto';
import type { KeyvOptions } from 'keyv';
import type { CacheEntry } from '../../application/caching/cache.js';

/** Stamps live a day unless bumped; an expired stamp is recreated, which only costs misses. */
export const DEFAULT_STAMP_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A new stamp: 72 random bits, so two stamps of a tag never coincide. Every write of a
 * stamp is a fresh token, which is what makes a non-atomic "create if missing" safe: a
 * creation that overwrites a bump is itself a bump.
 */
export function freshStamp(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * Values are JSON data, so the native JSON functions are the serialisation: faster than
 * Keyv's default (a recursive serialiser plus a reviver on every string), and a string that
 * starts with ':' needs no escaping. Something unreadable under a cache key (written by
 * another program) reads as absent: a miss, or a stamp created anew, never an outage.
 */
export const JSON_SERIALIZATION: Pick<KeyvOptions, 'serialize' | 'deserialize'> = {
  serialize: (data) => JSON.stringify(data),
  deserialize: (data) => {
    try {
      return typeof data === 'string' ? JSON.parse(data) : undefined;
    } catch {
      return undefined;
    }
  },
};

/**
 * Entries worth storing: a lifetime of at least a millisecond and a value JSON can
 * represent (no cycle, no BigInt). A set is best effort and ignores the rest; checking here
 * keeps a bad value from ever looking like a Redis failure. Sets follow misses, which cost a
 * read-store query, so the extra serialisation is cheap beside them.
 */
export function storable(entries: readonly CacheEntry[]): CacheEntry[] {
  return entries.filter((entry) => Number.isFinite(entry.ttlMs) && entry.ttlMs >= 1 && isJson(entry.value));
}

function isJson(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}

export function missing(count: number): undefined[] {
  return new Array<undefined>(count).fill(undefined);
}
