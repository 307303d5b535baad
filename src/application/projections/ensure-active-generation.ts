import type { ReadModelStore } from './read-model.store.js';

/** The generation a fresh read store starts with. */
export const FIRST_GENERATION = 'g1';

/**
 * Makes the read store servable; the composition root calls it once at start, before any
 * query or projection. Answers the active generation.
 *
 * - A generation is active: it is prepared again, which changes nothing when it is complete
 *   (read models are versioned by generation: a release that changes their tables or
 *   indexes ships with a rebuild into a new generation, not with a migration).
 * - None is (a fresh store): the first generation is prepared and activated with replay
 *   mark 0, so the first projector to start replays the whole outbox into it. That is also
 *   how a store that was never filled (a new MongoDB, a database whose read tables were
 *   lost) catches up with a write model that already has history.
 *
 * Several processes starting at once on a fresh store all prepare and activate the same
 * first generation with the same mark; at worst a late one sets the mark again after a
 * projector cleared it, and the outbox is replayed once more, which changes nothing.
 */
export async function ensureActiveGeneration(store: ReadModelStore): Promise<string> {
  const active = await store.activeGeneration();
  if (active !== null) {
    await store.prepare(active);
    return active;
  }
  await store.prepare(FIRST_GENERATION);
  await store.activate(FIRST_GENERATION, 0);
  return FIRST_GENERATION;
}
