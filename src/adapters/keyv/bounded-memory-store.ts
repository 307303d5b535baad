import type { KeyvStoreAdapter } from 'keyv';
import { LRUCache } from 'lru-cache';

export interface MemoryBounds {
  /** Most entries kept; the least recently used go first. */
  readonly maxEntries: number;
  /** Most bytes kept, counted as the characters of keys and serialised values plus a per-entry overhead. */
  readonly maxBytes: number;
}

/**
 * Bookkeeping an entry costs beyond its key and value (the LRU's node, the Map slot, the
 * string headers): without it a million tiny entries would look free.
 */
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * A Keyv store in process memory, bounded by entries and by bytes (an unbounded Map is a
 * leak under a growing key space). Keyv hands it serialised strings, so the size of an
 * entry is known and a read always yields a fresh copy. An entry larger than the whole
 * budget is not kept.
 */
export function boundedMemoryStore(bounds: MemoryBounds): KeyvStoreAdapter {
  const lru = new LRUCache<string, string>({
    max: atLeastOne(bounds.maxEntries),
    maxSize: atLeastOne(bounds.maxBytes),
    sizeCalculation: (value, key) => value.length + key.length + ENTRY_OVERHEAD_BYTES,
  });
  const store = {
    opts: { dialect: 'lru-cache' },
    namespace: undefined,
    on() {
      return this;
    },
    async get(key: string) {
      return lru.get(key);
    },
    async getMany(keys: string[]) {
      return keys.map((key) => lru.get(key));
    },
    // Keyv passes the TTL as a number; lru-cache takes it in an options object (0: none).
    async set(key: string, value: string, ttl?: number) {
      lru.set(key, value, { ttl: ttl !== undefined && ttl > 0 ? ttl : 0 });
    },
    async setMany(entries: { key: string; value: string; ttl?: number }[]) {
      for (const { key, value, ttl } of entries) lru.set(key, value, { ttl: ttl !== undefined && ttl > 0 ? ttl : 0 });
    },
    async delete(key: string) {
      return lru.delete(key);
    },
    async deleteMany(keys: string[]) {
      let deleted = false;
      for (const key of keys) deleted = lru.delete(key) || deleted;
      return deleted;
    },
    async has(key: string) {
      return lru.has(key);
    },
    async clear() {
      lru.clear();
    },
  };
  // Keyv's store type promises deserialised data, but Keyv hands a store serialised strings
  // and deserialises the strings it gets back: this store holds exactly those strings.
  return store as unknown as KeyvStoreAdapter;
}

function atLeastOne(value: number): number {
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1;
}
