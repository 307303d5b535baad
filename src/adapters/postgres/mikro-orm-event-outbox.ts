import { inject, injectable } from 'inversify';
import type { EventOutbox, OutboxEntry } from '../../application/projections/event-outbox.js';
import type { ConduitEvent } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';
import { OutboxRecord } from './records/outbox.record.js';

/**
 * The projector's side of `outbox`. `pending` reads through the partial index on
 * unapplied positions, so its cost does not grow with the history of applied events.
 * Neither call holds a transaction open: each is one statement.
 */
@injectable()
export class MikroOrmEventOutbox implements EventOutbox {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  async pending(limit: number): Promise<OutboxEntry[]> {
    const records = await this.orm.em
      .fork()
      .find(OutboxRecord, { appliedAt: null }, { orderBy: { position: 'asc' }, limit });
    return records.map((record) => ({
      position: record.position,
      // Only repositories write the outbox, and only ConduitEvents.
      event: {
        type: record.type,
        aggregateType: record.aggregateType,
        aggregateId: record.aggregateId,
        version: record.version,
        occurredAt: record.occurredAt,
        payload: record.payload,
      } as ConduitEvent,
    }));
  }

  async markApplied(positions: readonly number[]): Promise<void> {
    if (positions.length === 0) return;
    await this.orm.em
      .fork()
      .nativeUpdate(OutboxRecord, { position: { $in: [...positions] }, appliedAt: null }, { appliedAt: new Date() });
  }
}
