import type { EntitySchema } from '@mikro-orm/core';
import { ArticleRecord } from './records/article.record.js';
import { CommentRecord } from './records/comment.record.js';
import { FavoriteRecord } from './records/favorite.record.js';
import { FollowRecord } from './records/follow.record.js';
import { OutboxPendingRecord, OutboxRecord, OutboxSubscriberRecord } from './records/outbox.record.js';
import { UserRecord } from './records/user.record.js';

/**
 * The write model's MikroORM mappings (persistence records; the domain has no decorators).
 *
 * The migrations own the schema; these mappings describe it exactly, down to constraint
 * and index names (a test asserts the schema diff is empty), so that a generated
 * migration contains only the change someone actually made.
 */
export const writeModelEntities: EntitySchema[] = [
  UserRecord,
  FollowRecord,
  ArticleRecord,
  FavoriteRecord,
  CommentRecord,
  OutboxRecord,
  OutboxSubscriberRecord,
  OutboxPendingRecord,
] as EntitySchema[];
