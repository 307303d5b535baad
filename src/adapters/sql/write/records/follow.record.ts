import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Follow } from '../../../../domain/index.js';
import { UserRecord } from './user.record.js';

/** A row of `follows`, kept when switched off so the pair's version keeps growing. */
export const FollowRecord = defineEntity({
  name: 'FollowRecord',
  tableName: 'follows',
  properties: {
    followerId: p
      .manyToOne(UserRecord)
      .mapToPk()
      .primary()
      .fieldName('follower_id')
      .deleteRule('cascade')
      .updateRule('no action'),
    followeeId: p
      .manyToOne(UserRecord)
      .mapToPk()
      .primary()
      .fieldName('followee_id')
      .deleteRule('cascade')
      .updateRule('no action')
      .index('follows_followee_id_index'),
    active: p.boolean(),
    version: p.integer(),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
  primaryKeys: ['followerId', 'followeeId'],
  checks: [{ name: 'follows_no_self_follow', expression: 'follower_id <> followee_id' }],
});
export type FollowRecord = InferEntity<typeof FollowRecord>;

export const fromFollowRecord = (record: FollowRecord): Follow =>
  Follow.rehydrate({
    followerId: record.followerId,
    followeeId: record.followeeId,
    active: record.active,
    updatedAt: record.updatedAt,
    version: record.version,
  });
