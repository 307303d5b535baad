import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Follow } from '../../../../domain/index.js';
import { pairKey, switchColumns } from './columns.js';
import { UserRecord } from './user.record.js';

/** A row of `follows`, kept when switched off so the pair's version keeps growing. */
export const FollowRecord = defineEntity({
  name: 'FollowRecord',
  tableName: 'follows',
  properties: {
    followerId: pairKey(UserRecord, 'follower_id'),
    followeeId: pairKey(UserRecord, 'followee_id').index('follows_followee_id_index'),
    ...switchColumns(),
  },
  primaryKeys: ['followerId', 'followeeId'],
  checks: [{ name: 'follows_no_self_follow', expression: 'follower_id <> followee_id' }],
});
export type FollowRecord = InferEntity<typeof FollowRecord>;

export const fromFollowRecord = (record: FollowRecord): Follow => Follow.rehydrate(record);
