import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { timestamptz } from './columns.js';

/** A row of `outbox`: one domain event, in position order. Appended, never changed. */
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
    occurredAt: timestamptz(),
    traceContext: p.text().nullable(),
  },
  uniques: [{ name: 'outbox_aggregate_version_unique', properties: ['aggregateType', 'aggregateId', 'version'] }],
});
export type OutboxRecord = InferEntity<typeof OutboxRecord>;

/** A subscriber of the outbox (the projector, the relay): every event committed is queued for each. */
export const OutboxSubscriberRecord = defineEntity({
  name: 'OutboxSubscriberRecord',
  tableName: 'outbox_subscribers',
  properties: {
    name: p.text().primary(),
    subscribedAt: timestamptz().defaultRaw('now()'),
  },
});

/** One event still to do for one subscriber, with that subscriber's lease, attempts and parking. */
export const OutboxPendingRecord = defineEntity({
  name: 'OutboxPendingRecord',
  tableName: 'outbox_pending',
  properties: {
    subscriber: p
      .manyToOne(OutboxSubscriberRecord)
      .mapToPk()
      .primary()
      .fieldName('subscriber')
      .foreignKeyName('outbox_pending_subscriber_foreign'),
    position: p.bigint('number').primary(),
    attempts: p.integer().default(0),
    nextAttemptAt: timestamptz().nullable(),
    leaseOwner: p.text().nullable(),
    leaseExpiresAt: timestamptz().nullable(),
    awaitedUntil: timestamptz().nullable(),
    parkedAt: timestamptz().nullable(),
    lastError: p.text().nullable(),
  },
  indexes: [{ name: 'outbox_pending_parked_index', properties: ['subscriber', 'position'], where: 'parked_at is not null' }],
  // Wakes listening projector workers when events are queued (see migration 0002).
  triggers: [
    {
      name: 'notify_workers',
      timing: 'after',
      events: ['insert'],
      forEach: 'statement',
      body: "perform pg_notify('conduit_outbox', ''); return null",
    },
  ],
});
