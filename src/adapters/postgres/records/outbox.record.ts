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
  },
  uniques: [{ name: 'outbox_aggregate_version_unique', properties: ['aggregateType', 'aggregateId', 'version'] }],
  indexes: [{ name: 'outbox_pending_index', properties: ['position'], where: 'applied_at is null' }],
});
export type OutboxRecord = InferEntity<typeof OutboxRecord>;
