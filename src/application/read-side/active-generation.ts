import { inject, injectable } from 'inversify';
import { DependencyUnavailable } from '../shared/errors.js';
import { GENERATION_TTL_MS, ReadModelGenerations } from './read-model-generations.js';

/** The generation a fresh read store starts with. */
export const FIRST_GENERATION = 'g1';

/**
 * The read store has no active generation (not prepared yet, or it lost its pointer): it
 * cannot answer until a projector repairs it, an outage of the read store like any other.
 */
export class NoActiveGeneration extends DependencyUnavailable {
  override readonly name = 'NoActiveGeneration';

  constructor(readonly detail: string) {
    super('read-store');
  }
}

/**
 * Which generation this process serves, for every query adapter and the live writer of
 * one store (bind it once per process). The pointer is read at most once per
 * GENERATION_TTL_MS, one read shared by concurrent callers: that bounds how long this
 * process keeps serving a generation after another process swapped it, and costs one
 * primary-key read per second rather than one per query.
 *
 * A value is used only while younger than the TTL counted from when its read *started*, so
 * "within the TTL" holds even when the read itself was slow. `forget()` drops it at once:
 * whoever swaps the pointer in this process calls it, and serves the new generation at once.
 */
@injectable()
export class ActiveGeneration {
  private cached: { readonly generation: string; readonly until: number } | null = null;
  private loading: Promise<string> | null = null;
  /** Bumped by forget(): a read that started before it must not cache its (older) answer. */
  private epoch = 0;

  constructor(@inject(ReadModelGenerations) private readonly generations: ReadModelGenerations) {}

  current(): Promise<string> {
    if (this.cached !== null && performance.now() < this.cached.until) return Promise.resolve(this.cached.generation);
    if (this.loading === null) {
      const loading: Promise<string> = this.load().finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  forget(): void {
    this.epoch += 1;
    this.cached = null;
    this.loading = null;
  }

  private async load(): Promise<string> {
    const epoch = this.epoch;
    const started = performance.now();
    const generation = await this.generations.activeGeneration();
    if (generation === null)
      throw new NoActiveGeneration(`the ${this.generations.kind} read store has no active generation`);
    if (epoch === this.epoch) this.cached = { generation, until: started + GENERATION_TTL_MS };
    return generation;
  }
}

/**
 * Makes the read store servable; every process calls it at start, before any query or
 * projection, and projectors call it again now and then (`repairReadStore`). Answers the
 * active generation.
 *
 * - A generation is active and whole: nothing to do (read models are versioned by
 *   generation: a release that changes their tables or indexes ships with a rebuild into a
 *   new generation, not with a migration).
 * - None is (a fresh store, or one that lost its pointer: a MongoDB restarted empty): the
 *   first generation is prepared and activated with replay mark 0, so the next projector
 *   replays the whole outbox into it.
 * - One is active but not whole (its tables were dropped): it is prepared again, empty,
 *   and marked for a full replay the same way.
 *
 * Several processes doing this at once converge: preparing is idempotent, and at worst the
 * outbox is replayed once more, which changes nothing.
 */
export async function ensureActiveGeneration(generations: ReadModelGenerations): Promise<string> {
  const active = await generations.activeGeneration();
  if (active !== null && (await generations.isIntact(active))) return active;
  const generation = active ?? FIRST_GENERATION;
  await generations.prepare(generation);
  await generations.activate(generation, 0);
  return generation;
}

/** What the read store looks like to a readiness probe. */
export type ReadStoreHealth = 'ok' | 'replaying' | 'lost';

/**
 * 'lost' when the store has no whole active generation; 'replaying' while a replay mark is
 * set below the outbox's last position (the store is being filled again: its answers are
 * incomplete); 'ok' otherwise. A mark at or past the last position (a fresh deployment) is
 * a replay with nothing to do.
 */
export async function readStoreHealth(
  generations: ReadModelGenerations,
  lastPosition: () => Promise<number>,
): Promise<ReadStoreHealth> {
  const active = await generations.activeGeneration();
  if (active === null || !(await generations.isIntact(active))) return 'lost';
  const mark = await generations.replayFrom();
  if (mark === null) return 'ok';
  return mark >= (await lastPosition()) ? 'ok' : 'replaying';
}
