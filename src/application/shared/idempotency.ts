import type { ServiceIdentifier } from 'inversify';

/**
 * Keys that make a write safe to send twice (`Idempotency-Key`): the first request with a
 * key claims it, and its successful answer is kept; a later request with the same key and
 * the same content gets that answer again instead of running the write a second time.
 *
 * A key belongs to a scope (the user, or `anonymous`), so one user's key never answers
 * another's request. Only successful answers are kept: a write that failed wrote nothing,
 * so its claim is released and the same key may run again.
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for a request whose content hashes to `fingerprint`, unless it is claimed
   * already and younger than `ttlSeconds`: then answers what that claim holds now.
   */
  claim(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<IdempotencyClaim>;
  /** What a claim holds now (polled while another request holding it runs); null once released or expired. */
  find(scope: string, key: string, ttlSeconds: number): Promise<IdempotencyRecord | null>;
  /** Keeps the claimed request's answer (`answer` is opaque: sealed by the caller). */
  complete(scope: string, key: string, status: number, answer: string): Promise<void>;
  /** Gives up a claim whose request wrote nothing, so that the key may be used again. */
  release(scope: string, key: string): Promise<void>;
  /** Forgets claims older than `ttlSeconds`; answers how many went. */
  sweep(ttlSeconds: number): Promise<number>;
}
export const IdempotencyStore: ServiceIdentifier<IdempotencyStore> = Symbol.for('IdempotencyStore');

/** A claim as another request finds it: still running (no status yet), or answered. */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly status: number | null;
  readonly answer: string | null;
}

export type IdempotencyClaim = { readonly kind: 'claimed' } | { readonly kind: 'taken'; readonly record: IdempotencyRecord };
