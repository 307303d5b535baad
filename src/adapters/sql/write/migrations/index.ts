import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001WriteModel } from './Migration0001WriteModel.js';
import { Migration0002OutboxQueues } from './Migration0002OutboxQueues.js';
import { Migration0003TokenRevocation } from './Migration0003TokenRevocation.js';
import { Migration0004Notifications } from './Migration0004Notifications.js';
import { Migration0005ExternalIdentities } from './Migration0005ExternalIdentities.js';
import { Migration0006IdempotencyKeys } from './Migration0006IdempotencyKeys.js';
import { Migration0007CredentialChanges } from './Migration0007CredentialChanges.js';
import { Migration0008FavoriteCountShards } from './Migration0008FavoriteCountShards.js';
import { Migration0009NotificationFactVersions } from './Migration0009NotificationFactVersions.js';

/**
 * Every migration, in order. Listed explicitly (not discovered from the file system) so
 * the same list runs from compiled JS, from tsx and under vitest.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration0001WriteModel', class: Migration0001WriteModel },
  { name: 'Migration0002OutboxQueues', class: Migration0002OutboxQueues },
  { name: 'Migration0003TokenRevocation', class: Migration0003TokenRevocation },
  { name: 'Migration0004Notifications', class: Migration0004Notifications },
  { name: 'Migration0005ExternalIdentities', class: Migration0005ExternalIdentities },
  { name: 'Migration0006IdempotencyKeys', class: Migration0006IdempotencyKeys },
  { name: 'Migration0007CredentialChanges', class: Migration0007CredentialChanges },
  { name: 'Migration0008FavoriteCountShards', class: Migration0008FavoriteCountShards },
  { name: 'Migration0009NotificationFactVersions', class: Migration0009NotificationFactVersions },
];
