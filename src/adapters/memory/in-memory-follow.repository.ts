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
    return this.store.save(
      follow,
      'follow',
      () => {
        const row = follow.snapshot();
        if (!follow.isNew) return follows.checkUpdate(row, follow.persistedVersion);
        if (follows.has(pairKey(row.followerId, row.followeeId))) return { kind: 'stale' };
        this.store.requireRow(users, row.followerId, 'follows_follower_id_foreign');
        this.store.requireRow(users, row.followeeId, 'follows_followee_id_foreign');
        return follows.checkInsert(row);
      },
      () => null,
    );
  }
}
