import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { FollowRepository } from '../../application/profiles/follow.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import { Follow } from '../../domain/index.js';
import { pairKey } from './in-memory-tables.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** The in-memory twin of SqlFollowRepository (same contract suite): a save is guarded by the loaded version, 0 for a new pair. */
@injectable()
export class InMemoryFollowRepository implements FollowRepository {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async find(followerId: string, followeeId: string): Promise<Follow | null> {
    const row = this.store.follows.get(pairKey(followerId, followeeId));
    return row === null ? null : Follow.rehydrate(row);
  }

  async save(follow: Follow): Promise<Result<void, SaveConflict>> {
    const { follows, users } = this.store;
    const { followerId, followeeId } = follow.snapshot();
    const references = [
      [users, followerId, 'follows_follower_id_foreign'],
      [users, followeeId, 'follows_followee_id_foreign'],
    ] as const;
    return this.store.save(follow, 'follow', () => this.store.checkPair(follows, follow, references), () => null);
  }
}
