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
});
export type UserRecord = InferEntity<typeof UserRecord>;

/** The row without the key it is unique by (the mapping types the nullable columns as optional). */
export const fromUserRecord = ({ usernameKey: _key, ...state }: UserRecord): User =>
  User.rehydrate({ ...state, bio: state.bio ?? null, image: state.image ?? null, tokensValidFrom: state.tokensValidFrom ?? null });
