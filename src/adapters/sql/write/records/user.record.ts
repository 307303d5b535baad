import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { User, Username } from '../../../../domain/index.js';

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
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
    version: p.integer(),
  },
});
export type UserRecord = InferEntity<typeof UserRecord>;

export const fromUserRecord = (record: UserRecord): User =>
  User.rehydrate({
    id: record.id,
    username: record.username,
    email: record.email,
    passwordHash: record.passwordHash,
    bio: record.bio ?? null,
    image: record.image ?? null,
    role: record.role,
    tokensValidFrom: record.tokensValidFrom ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: record.version,
  });
