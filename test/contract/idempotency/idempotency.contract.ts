import { describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../../src/application/shared/idempotency.js';

const DAY = 86_400;

/** What every IdempotencyStore does, run against each adapter. */
export function idempotencyContract(name: string, open: () => Promise<IdempotencyStore>): void {
  describe(`idempotency store contract (${name})`, () => {
    it('claims a new key once: a second claim finds it running, then answered', async () => {
      const store = await open();
      expect(await store.claim('user-1', 'k1', 'f1', DAY)).toEqual({ kind: 'claimed' });
      expect(await store.claim('user-1', 'k1', 'f1', DAY)).toEqual({
        kind: 'taken',
        record: { fingerprint: 'f1', status: null, answer: null },
      });
      await store.complete('user-1', 'k1', 201, 'sealed answer');
      expect(await store.claim('user-1', 'k1', 'f1', DAY)).toEqual({
        kind: 'taken',
        record: { fingerprint: 'f1', status: 201, answer: 'sealed answer' },
      });
      expect(await store.find('user-1', 'k1', DAY)).toEqual({ fingerprint: 'f1', status: 201, answer: 'sealed answer' });
    });

    it('keeps keys of different scopes apart', async () => {
      const store = await open();
      expect(await store.claim('user-1', 'shared', 'f1', DAY)).toEqual({ kind: 'claimed' });
      expect(await store.claim('user-2', 'shared', 'f2', DAY)).toEqual({ kind: 'claimed' });
      expect(await store.find('user-2', 'shared', DAY)).toMatchObject({ fingerprint: 'f2' });
    });

    it('answers the first fingerprint to a claim with another one (the caller refuses it)', async () => {
      const store = await open();
      await store.claim('user-1', 'k2', 'first', DAY);
      expect(await store.claim('user-1', 'k2', 'second', DAY)).toMatchObject({ kind: 'taken', record: { fingerprint: 'first' } });
    });

    it('frees a released key, but never releases an answered one', async () => {
      const store = await open();
      await store.claim('user-1', 'k3', 'f', DAY);
      await store.release('user-1', 'k3');
      expect(await store.find('user-1', 'k3', DAY)).toBeNull();
      expect(await store.claim('user-1', 'k3', 'f', DAY)).toEqual({ kind: 'claimed' });
      await store.complete('user-1', 'k3', 200, 'a');
      await store.release('user-1', 'k3');
      expect(await store.find('user-1', 'k3', DAY)).toMatchObject({ status: 200 });
    });

    it('lets a key older than the retention be claimed afresh, and sweeps it', async () => {
      const store = await open();
      await store.claim('user-1', 'old', 'f-old', 1);
      await store.complete('user-1', 'old', 201, 'a');
      await store.claim('user-1', 'older', 'f', 1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await store.find('user-1', 'old', 1)).toBeNull();
      expect(await store.claim('user-1', 'old', 'f-new', 1)).toEqual({ kind: 'claimed' });
      expect(await store.find('user-1', 'old', 1)).toEqual({ fingerprint: 'f-new', status: null, answer: null });
      expect(await store.sweep(1)).toBe(1);
      expect(await store.find('user-1', 'older', DAY)).toBeNull();
      expect(await store.find('user-1', 'old', DAY)).not.toBeNull();
    });

    it('gives a key to exactly one of many concurrent claims', async () => {
      const store = await open();
      const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim('user-1', 'race', 'f', DAY)));
      expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(1);
    });
  });
}
