import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { FollowRepository } from '../../application/profiles/follow.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import type { Follow } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';
import { saveWithEvents } from './outbox.js';
import { fromFollowRecord, toFollowRecord, FollowRecord } from './records/follow.record.js';
import { isUuid } from './records/keys.js';

/**
 * Follow pairs in `follows`. Two requests creating the same pair both see "no row" and
 * both insert; the primary key refuses the second, which comes back as DUPLICATE.
 */
@injectable()
export class MikroOrmFollowRepository implements FollowRepository {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  async find(followerId: string, followeeId: string): Promise<Follow | null> {
    if (!isUuid(followerId) || !isUuid(followeeId)) return null;
    const record = await this.orm.em.fork().findOne(FollowRecord, { followerId, followeeId });
    return record === null ? null : fromFollowRecord(record);
  }

  save(follow: Follow): Promise<Result<void, SaveConflict>> {
    return saveWithEvents(this.orm, follow, 'follow', async (tx) => {
      const { followerId, followeeId, ...changes } = toFollowRecord(follow);
      if (follow.isNew) {
        await tx.insert(FollowRecord, { followerId, followeeId, ...changes });
        return true;
      }
      const where = { followerId, followeeId, version: follow.persistedVersion };
      return (await tx.nativeUpdate(FollowRecord, where, changes)) === 1;
    });
  }
}
