import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../read-side/read-model-changes.js';
import type { ProjectionObserver } from '../read-side/projector.js';
import { Cache } from './cache.js';
import { tagsChangedByAll } from './cache-tags.js';

/**
 * The projector's observer when a cache is on: bumps the tags of what each batch changed,
 * after the read models committed it and before the events are acknowledged. Writers wait
 * for the acknowledgement (read-your-writes), so by the time a writer is answered every
 * process reads the new stamps: the writer's next read, through any replica, misses and
 * reads the read store. A bump never fails (the cache remembers what it could not write).
 */
@injectable()
export class CacheInvalidation implements ProjectionObserver {
  constructor(@inject(Cache) private readonly cache: Cache) {}

  async applied(changes: readonly ReadModelChange[]): Promise<void> {
    const tags = tagsChangedByAll(changes);
    if (tags.length > 0) await this.cache.bump(tags);
  }

  replaced(): Promise<void> {
    return this.cache.bumpAll();
  }
}
