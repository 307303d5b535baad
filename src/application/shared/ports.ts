/** Time, injected so handlers and tests agree on "now". */
export interface Clock {
  now(): Date;
}
export const Clock = Symbol.for('Clock');

/** New identifiers for aggregates, and short random suffixes for slugs. */
export interface IdGenerator {
  newId(): string;
  /** A short, URL-safe, random token (for making a slug unique). */
  newSuffix(): string;
}
export const IdGenerator = Symbol.for('IdGenerator');

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
}
