import { injectable } from 'inversify';
import type { IdempotencyClaim, IdempotencyRecord, IdempotencyStore } from '../../application/shared/idempotency.js';

interface Entry extends IdempotencyRecord {
  readonly createdAtMs: number;
}

/** The in-memory twin of SqlIdempotency: one map by (scope, key), claims expiring after the retention. */
@injectable()
export class InMemoryIdempotency implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  async claim(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<IdempotencyClaim> {
    // No await before the entry is set: a concurrent claim sees it.
    const record = this.current(scope, key, ttlSeconds);
    if (record !== null) return { kind: 'taken', record };
    this.entries.set(JSON.stringify([scope, key]), { fingerprint, status: null, answer: null, createdAtMs: Date.now() });
    return { kind: 'claimed' };
  }

  async find(scope: string, key: string, ttlSeconds: number): Promise<IdempotencyRecord | null> {
    return this.current(scope, key, ttlSeconds);
  }

  private current(scope: string, key: string, ttlSeconds: number): IdempotencyRecord | null {
    const entry = this.entries.get(JSON.stringify([scope, key]));
    if (entry === undefined || entry.createdAtMs < Date.now() - ttlSeconds * 1000) return null;
    return { fingerprint: entry.fingerprint, status: entry.status, answer: entry.answer };
  }

  async complete(scope: string, key: string, status: number, answer: string): Promise<void> {
    const id = JSON.stringify([scope, key]);
    const entry = this.entries.get(id);
    if (entry !== undefined) this.entries.set(id, { ...entry, status, answer });
  }

  async release(scope: string, key: string): Promise<void> {
    const id = JSON.stringify([scope, key]);
    if (this.entries.get(id)?.status === null) this.entries.delete(id);
  }

  async sweep(ttlSeconds: number): Promise<number> {
    const cutoff = Date.now() - ttlSeconds * 1000;
    let gone = 0;
    for (const [id, entry] of this.entries)
      if (entry.createdAtMs < cutoff) {
        this.entries.delete(id);
        gone++;
      }
    return gone;
  }
}
