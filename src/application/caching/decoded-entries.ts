/**
 * An entry of the query cache as this process last validated it, decoded: its tags, the
 * stamps it holds and its data, deeply frozen so that every request can share it. It is
 * trusted exactly as an entry read from the cache is: only while the stamps read for the
 * request still equal the ones it holds (read-through.ts).
 */
export interface DecodedEntry {
  readonly tags: readonly string[];
  readonly stamps: readonly string[];
  readonly data: unknown;
  /**
   * `performance.now()` past which it is not used: one entry lifetime from the moment it was
   * decoded, so that it never outlives the entry by more than a lifetime (ADR 012 relies on
   * lifetimes to bound what a bump lost in a partition can hide).
   */
  readonly until: number;
  /**
   * The anonymous answer presented from `data` (frozen), once an anonymous reader asked:
   * the same object for every anonymous hit, which lets the HTTP adapter send the bytes it
   * serialised for it the first time.
   */
  anonymous?: unknown;
}

/**
 * The decoded entries of this process, by cache key, least recently used first out: a hit
 * on one costs neither a fetch of the entry nor its parsing. Bounded by a count (0: none kept).
 */
export class DecodedEntries {
  private readonly entries = new Map<string, DecodedEntry>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): DecodedEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.until <= performance.now()) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: DecodedEntry): void {
    if (this.maxEntries < 1) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drops the key's entry if it is still `entry` (a newer one stored meanwhile stays). */
  drop(key: string, entry: DecodedEntry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}

const sharedAnswers = new WeakSet<object>();

/** Marks an answer's value as one shared, frozen, by every anonymous reader of one entry. */
export function shareAnswer(value: unknown): void {
  if (typeof value === 'object' && value !== null) sharedAnswers.add(deepFreeze(value));
}

/**
 * True for a value the read-through cache hands to every anonymous reader of one entry: it
 * is deeply frozen and carries nobody's own fields, so whatever is derived from it alone
 * (its serialised bytes, their entity tag) may be derived once and reused.
 */
export const isSharedAnswer = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && sharedAnswers.has(value);

/** Freezes a JSON value and everything in it, so that a value shared between requests cannot change. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
