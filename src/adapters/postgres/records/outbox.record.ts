import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A row of `outbox`: one domain event, in commit-position order. */
export const OutboxRecord = defineEntity({
  name: 'OutboxRecord',
  tableName: 'outbox',
  properties: {
    position: p.bigint('number').primary().autoincrement(),
    aggregateType: p.text(),
    aggregateId: p.text(),
    version: p.integer(),
    type: p.text(),
    payload: p.json<unknown>().columnType('jsonb'),
    occurredAt: p.datetime().columnType('timestamptz'),
    appliedAt: p.datetime().columnType('timestamptz').nullable(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().columnType('timestamptz').nullable(),
    leaseOwner: p.text().nullable(),
    leaseExpiresAt: p.datetime().columnType('timestamptz').nullable(),
    parkedAt: p.datetime().columnType('timestamptz').nullable(),
    lastError: p.text().nullable(),
  },
  uniques: [{ name: 'outbox_aggregate_version_unique', properties: ['aggregateType', 'aggregateId', 'version'] }],
  indexes: [
    { name: 'outbox_pending_index', properties: ['position'], where: 'applied_at is null and parked_at is null' },
    { name: 'outbox_parked_index', properties: ['position'], where: 'parked_at is not null' },
  ],
});
export type OutboxRecord = InferEntity<typeof OutboxRecord>;
