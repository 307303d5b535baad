import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { User } from '../../../../domain/index.js';
import { aggregateColumns } from './columns.js';

/** A row of `users`: the user's state plus the lower-cased key its username is unique by. */
export const UserRecord = defineEntity({
  name: 'UserRecord',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    username: p.text(),
    usernameKey: p.text().unique('users_username_key_unique'),
    email: p.text().unique('users_email_unique'),
    passwordHash: p.text(),
    bio: p.text().nullable(),
    image: p.text().nullable(),
    role: p.enum(['user', 'admin'] as const).columnType('text').default('user'),
    tokensValidFrom: p.datetime().columnType('timestamptz').nullable(),
    ...aggregateColumns(),
  },
  // Announce credential changes to the processes that remember credential states (migration 0007;
  // its TRUNCATE trigger is not mapped: MikroORM cannot see one, information_schema omits them).
  triggers: [
    {
      name: 'notify_credentials',
      timing: 'after',
      events: ['update', 'delete'],
      forEach: 'row',
      body:
        "if tg_op = 'DELETE' then perform pg_notify('conduit_credentials', old.id::text); " +
        'elsif old.role is distinct from new.role or old.tokens_valid_from is distinct from new.tokens_valid_from ' +
        "then perform pg_notify('conduit_credentials', new.id::text); end if; return null",
    },
  ],
});
export type UserRecord = InferEntity<typeof UserRecord>;

/** The row without the key it is unique by (the mapping types the nullable columns as optional). */
export const fromUserRecord = ({ usernameKey: _key, ...state }: UserRecord): User =>
  User.rehydrate({ ...state, bio: state.bio ?? null, image: state.image ?? null, tokensValidFrom: state.tokensValidFrom ?? null });
