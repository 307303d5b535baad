import type { Cache, CacheState } from '../../application/caching/cache.js';
import { missing } from './cache-values.js';

/** `CACHE=off`: nothing is stored, and stamps() answers null so every caller goes to the read store. */
export class OffCache implements Cache {
  readonly kind = 'off';

  async get(keys: readonly string[]): Promise<readonly unknown[]> {
    return missing(keys.length);
  }

  async set(): Promise<void> {}

  async stamps(): Promise<null> {
    return null;
  }

  async recentStamps(): Promise<null> {
    return null;
  }

  async bump(): Promise<void> {}

  async bumpAll(): Promise<void> {}

  state(): CacheState {
    return 'off';
  }

  async close(): Promise<void> {}
}
