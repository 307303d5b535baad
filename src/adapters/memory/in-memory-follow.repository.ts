import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { FollowRepository } from '../../application/profiles/follow.repository.js';
import { duplicate, type SaveConflict } from '../../application/shared/persistence.js';
import { Follow, type FollowState } from '../../domain/index.js';
import { InMemoryWriteStore, pairKey } from './in-memory-write-store.js';

const toRow = (follow: Follow): FollowState => {
  const s = follow.snapshot();
  return {
    followerId: s.followerId,
    followeeId: s.followeeId,
    active: s.active,
    version: s.version,
    updatedAt: s.updatedAt,
  };
};

/** The in-memory twin of MikroOrmFollowRepository (same contract suite). */
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
        const row = toRow(follow);
        if (!follow.isNew) return follows.checkUpdate(row, follow.persistedVersion);
        this.store.requireRow(users, row.followerId, 'follows_follower_id_foreign');
        this.store.requireRow(users, row.followeeId, 'follows_followee_id_foreign');
        return follows.checkInsert(row);
      },
      (constraint) => (constraint === 'follows_pkey' ? duplicate('follow') : null),
    );
  }
}
