import type { ReadModelWriter } from './read-model.writer.js';

/**
 * The administration side of one read store (SQL tables, MongoDB collections, memory).
 *
 * Read models live in **generations**: a full set of tables/collections under one name.
 * Exactly one generation is active: queries and the live projector use it. A rebuild
 * fills a fresh generation from the write model while the active one keeps serving, then
 * swaps the pointer atomically; processes notice the swap within GENERATION_TTL_MS.
 */
export interface ReadModelGenerations {
  /** For logs and the CLI: 'sql', 'mongodb', 'memory'. */
  readonly kind: string;
  /** Creates the generation's tables/collections, every index and its marker, idempotently. */
  prepare(generation: string): Promise<void>;
  /**
   * Whether the generation is whole: prepared, and its marker still there. False for a
   * store that lost its data under the pointer (a dropped schema, a MongoDB restarted
   * empty): the projector then prepares it again and replays the outbox into it.
   */
  isIntact(generation: string): Promise<boolean>;
  /** The generation served now; null before any was activated (or after the store lost its pointer). */
  activeGeneration(): Promise<string | null>;
  /**
   * Makes `generation` the served one, atomically. `replayFrom` is the outbox position up
   * to which the generation is known complete: a projector that starts against this store
   * replays every event after it once before its normal work (see `replayFrom()`).
   */
  activate(generation: string, replayFrom: number): Promise<void>;
  /** A writer that fills the given generation (not necessarily the active one). */
  writerFor(generation: string): ReadModelWriter;
  /** Every generation that exists, active or not, oldest first. */
  listGenerations(): Promise<string[]>;
  /** Removes a generation that is not active. */
  drop(generation: string): Promise<void>;
  /** The replay mark set by `activate`, or null once a projector has caught up past it. */
  replayFrom(): Promise<number | null>;
  clearReplayFrom(): Promise<void>;
}
export const ReadModelGenerations = Symbol.for('ReadModelGenerations');

/** How long a process may keep serving from a generation after a swap. */
export const GENERATION_TTL_MS = 1_000;
