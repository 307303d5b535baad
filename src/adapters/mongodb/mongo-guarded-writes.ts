import { randomUUID } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import { asText } from './filter-values.js';

/**
 * How often a write whose guard lost a race (a concurrent insert of the same key, a
 * document that changed between its read and its compare-and-set) looks again before
 * giving up; the projector then retries the change later.
 */
export const MAX_ATTEMPTS = 8;

export const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

export const asVersion = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`mongo read model: version ${String(value)} is not a non-negative integer`);
  return value;
};

export const asNullableText = (value: unknown): string | null =>
  value === null || value === undefined ? null : asText(value);

/**
 * A key for the writers' own filters and upserts. Writers match by plain equality on a
 * string (never `$eq`) where an upsert must create the document from its filter: every
 * server seeds the new document from plain equalities (the test emulator does not from
 * `$eq`), and a JS string in a filter is always data, never an operator. Values come from
 * events, are coerced here, and never from a request.
 */
export const key = (value: unknown): string => asText(value);

/**
 * A new operation id: unique per state change, a valid field name (no `.`, no leading
 * `$`), recorded with the change it belongs to. Never derived from the change alone: a
 * deleted article written back by a late update and deleted again must not reuse the id of
 * the first deletion, which a counter may still hold (see mongo-count-ledger.ts).
 */
export const newOperationId = (): string => `op${randomUUID().replaceAll('-', '')}`;

/**
 * Upserts `filter` to `version` when the stored version is older (or there is none);
 * answers false when it is not. A duplicate key means the key is stored at `version` or
 * newer, or that a concurrent insert of the same key won the race; a look at the stored
 * version tells which, and the race case simply tries again.
 */
export async function upsertIfNewer<T extends { version: number }>(
  collection: Collection<T>,
  filter: Filter<T>,
  version: number,
  set: Partial<T>,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await collection.updateOne(
        { ...filter, version: { $lt: version } } as Filter<T>,
        { $set: { ...set, version } } as never,
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const stored = await collection.findOne(filter, { projection: { version: 1 } });
      if (stored && stored.version >= version) return false;
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Runs `items` through `work`, at most `limit` at once. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}
