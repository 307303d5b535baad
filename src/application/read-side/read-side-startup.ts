import { inject, injectable } from 'inversify';
import { ActiveGeneration, ensureActiveGeneration, readStoreHealth, type ReadStoreHealth } from './active-generation.js';
import { EventOutbox } from './event-outbox.js';
import { ReadModelGenerations } from './read-model-generations.js';

/** What every process does with the read store at start, and what readiness asks of it. */
@injectable()
export class ReadSideStartup {
  constructor(
    @inject(ReadModelGenerations) private readonly generations: ReadModelGenerations,
    @inject(EventOutbox) private readonly outbox: EventOutbox,
    @inject(ActiveGeneration) private readonly active: ActiveGeneration,
  ) {}

  /** Makes the read store servable (see ensureActiveGeneration); answers the active generation. */
  async prepare(): Promise<string> {
    const generation = await ensureActiveGeneration(this.generations);
    this.active.forget();
    return generation;
  }

  get kind(): string {
    return this.generations.kind;
  }

  health(): Promise<ReadStoreHealth> {
    return readStoreHealth(this.generations, () => this.outbox.lastPosition());
  }
}
