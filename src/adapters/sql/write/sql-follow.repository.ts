import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { FollowRepository } from '../../../application/profiles/follow.repository.js';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import type { Follow } from '../../../domain/index.js';
import { FollowRecord, fromFollowRecord } from './records/follow.record.js';
import { isUuid } from './records/keys.js';
import { pairWrite } from './pair-write.js';
import { saveWithEvents } from './save-with-events.js';
import { SqlWriteContext } from './sql-write-context.js';

/**
 * Follow pairs in `follows`, one row per (follower, followee), kept when switched off
 * (pairWrite); a concurrent first follow comes back as CONCURRENT_UPDATE, and the
 * handler's retry reloads it.
 */
@injectable()
export class SqlFollowRepository implements FollowRepository {
  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  async find(followerId: string, followeeId: string): Promise<Follow | null> {
    if (!isUuid(followerId) || !isUuid(followeeId)) return null;
    const record = await this.context.load((em) => em.findOne(FollowRecord, { followerId, followeeId }));
    return record === null ? null : fromFollowRecord(record);
  }

  async save(follow: Follow): Promise<Result<void, SaveConflict>> {
    const s = follow.snapshot();
    const saved = await saveWithEvents(this.context, follow, 'follow', () =>
      pairWrite('follows', ['follower_id', 'followee_id'], follow, [s.followerId, s.followeeId]),
    );
    return saved.isOk() ? Ok(undefined) : Err(saved.error);
  }
}
