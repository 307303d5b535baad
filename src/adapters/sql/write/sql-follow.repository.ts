import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { FollowRepository } from '../../../application/profiles/follow.repository.js';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import type { Follow } from '../../../domain/index.js';
import { FollowRecord, fromFollowRecord } from './records/follow.record.js';
import { isUuid } from './records/keys.js';
import { saveWithEvents } from './save-with-events.js';
import { iso, SqlWriteContext } from './sql-write-context.js';

/**
 * Follow pairs in `follows`, one row per (follower, followee), kept when switched off. The
 * save is an upsert guarded by the version it loaded (0 for a new pair): a concurrent
 * first follow of the same pair finds the row there and comes back as CONCURRENT_UPDATE,
 * and the handler's retry reloads it.
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
    const saved = await saveWithEvents(this.context, follow, 'follow', () => ({
      ctes: [
        `written as (insert into follows as f (follower_id, followee_id, active, version, updated_at)
                     values ($1, $2, $3, $4, $5)
                     on conflict (follower_id, followee_id) do update
                       set active = excluded.active, version = excluded.version, updated_at = excluded.updated_at
                       where f.version = $6
                     returning 1)`,
      ],
      params: [s.followerId, s.followeeId, s.active, s.version, iso(s.updatedAt), follow.persistedVersion],
    }));
    return saved.isOk() ? Ok(undefined) : Err(saved.error);
  }
}
