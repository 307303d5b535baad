import type { ReadModelChange } from './read-model-changes.js';

export interface WriteModelCounts {
  readonly users: number;
  readonly articles: number;
  readonly follows: number;
  readonly favorites: number;
  readonly comments: number;
}

/**
 * The write model read as the read models need it, for rebuilds: every row of every
 * aggregate as the read-model change it amounts to (what the ReadModelWriter takes), with
 * the version the row has now.
 *
 * Each listing is an async iterable of batches of at most `batchSize` rows, in primary-key
 * order, each batch read on its own (keyset pagination: the cost of a batch does not grow
 * with how far the listing has gone, and no transaction or cursor is held open between
 * batches). So a listing is NOT a consistent snapshot: rows written meanwhile may or may
 * not appear, and appear in the state they had when their batch was read. A rebuild makes
 * up for that by replaying the outbox events written since it started, which the versions
 * make harmless for rows already copied in a newer state.
 *
 * Switched-off follows and favourites are listed too: their versions guard against late events.
 */
export interface WriteModelSnapshot {
  /** Row counts now (progress bars; rows written meanwhile make the listings differ). */
  counts(): Promise<WriteModelCounts>;
  users(batchSize: number): AsyncIterable<readonly ReadModelChange[]>;
  articles(batchSize: number): AsyncIterable<readonly ReadModelChange[]>;
  follows(batchSize: number): AsyncIterable<readonly ReadModelChange[]>;
  favorites(batchSize: number): AsyncIterable<readonly ReadModelChange[]>;
  comments(batchSize: number): AsyncIterable<readonly ReadModelChange[]>;
}
export const WriteModelSnapshot = Symbol.for('WriteModelSnapshot');

/** The largest batch a listing accepts: a batch is held in memory whole. */
const MAX_SNAPSHOT_BATCH = 10_000;

/** Throws unless `batchSize` is a whole number from 1 to MAX_SNAPSHOT_BATCH (adapters call it). */
export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_SNAPSHOT_BATCH)
    throw new RangeError(`batchSize must be a whole number from 1 to ${MAX_SNAPSHOT_BATCH}, got ${batchSize}`);
}
