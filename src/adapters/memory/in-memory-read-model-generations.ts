import { injectable } from 'inversify';
import type { ReadModelGenerations } from '../../application/read-side/read-model-generations.js';
import type { ReadModelWriter } from '../../application/read-side/read-model.writer.js';
import { InMemoryReadModelWriter } from './in-memory-read-model.writer.js';
import { InMemoryReadDatabase, type InMemoryReadSource } from './in-memory-read-store.js';

/** The same names the SQL store accepts, so a generation name valid here is valid everywhere. */
const GENERATION_NAME = /^[a-z][a-z0-9_]{0,37}$/;

const checkName = (generation: string): void => {
  if (!GENERATION_NAME.test(generation))
    throw new Error(`invalid read-model generation name ${JSON.stringify(generation)}`);
};

/**
 * Generations of the in-memory read model: one InMemoryReadDatabase per generation, and
 * the pointer. It is also the InMemoryReadSource of the query adapters and the live writer
 * (bind it once and alias both tokens to it): they ask for the active database on every
 * call, so a swap is seen by the next call — one process, so no TTL to wait out.
 */
@injectable()
export class InMemoryReadModelGenerations implements ReadModelGenerations, InMemoryReadSource {
  readonly kind = 'memory';
  /** Insertion order is preparation order: what listGenerations answers. */
  private readonly generations = new Map<string, InMemoryReadDatabase>();
  private active: string | null = null;
  private mark: number | null = null;

  async prepare(generation: string): Promise<void> {
    checkName(generation);
    if (!this.generations.has(generation)) this.generations.set(generation, new InMemoryReadDatabase());
  }

  async isIntact(generation: string): Promise<boolean> {
    return this.generations.has(generation);
  }

  /** Forgets a generation's data behind the pointer's back, as a database that lost it (tests). */
  loseData(generation: string): void {
    this.generations.delete(generation);
  }

  async activeGeneration(): Promise<string | null> {
    return this.active;
  }

  async activate(generation: string, replayFrom: number): Promise<void> {
    checkName(generation);
    if (!Number.isSafeInteger(replayFrom) || replayFrom < 0)
      throw new Error(`replayFrom must be an outbox position (an integer ≥ 0), got ${replayFrom}`);
    if (!this.generations.has(generation))
      throw new Error(`read-model generation ${generation} cannot be activated: it was never prepared`);
    // Both in one synchronous step: nobody sees the pointer without its mark.
    this.active = generation;
    this.mark = replayFrom;
  }

  writerFor(generation: string): ReadModelWriter {
    checkName(generation);
    // Looked up per call, like the SQL schema: writing to a dropped generation fails loudly.
    return new InMemoryReadModelWriter({ current: () => this.database(generation) });
  }

  async listGenerations(): Promise<string[]> {
    return [...this.generations.keys()];
  }

  async drop(generation: string): Promise<void> {
    checkName(generation);
    if (generation === this.active)
      throw new Error(`read-model generation ${generation} is active and cannot be dropped`);
    this.generations.delete(generation);
  }

  async replayFrom(): Promise<number | null> {
    return this.mark;
  }

  async clearReplayFrom(): Promise<void> {
    this.mark = null;
  }

  /** The active generation's database (InMemoryReadSource). */
  current(): InMemoryReadDatabase {
    if (this.active === null)
      throw new Error('the in-memory read store has no active generation: ensureActiveGeneration() must run at start');
    return this.database(this.active);
  }

  private database(generation: string): InMemoryReadDatabase {
    const database = this.generations.get(generation);
    if (database === undefined) throw new Error(`read-model generation ${generation} does not exist`);
    return database;
  }
}
