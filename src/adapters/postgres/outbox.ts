import type { SqlEntityManager } from '@mikro-orm/sql';
import { Err, Ok, type Result } from 'ts-results-es';
import { concurrentUpdate, type SaveConflict } from '../../application/shared/persistence.js';
import type { AggregateRoot, ConduitEvent } from '../../domain/index.js';
import { saveConflictOf } from './errors.js';
import type { SqlOrm } from './orm.js';
import { OutboxRecord } from './records/outbox.record.js';

/** Appends events to the outbox inside the caller's transaction, in the order given. */
export async function appendToOutbox(tx: SqlEntityManager, events: readonly ConduitEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insertMany(
    OutboxRecord,
    events.map((event) => ({
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      version: event.version,
      type: event.type,
      payload: event.payload,
      occurredAt: event.occurredAt,
      appliedAt: null,
    })),
  );
}

/** Writes the aggregate's row; false when the version check matched no row. */
export type RowWrite = (tx: SqlEntityManager) => Promise<boolean>;

/** Thrown inside the transaction to roll it back; never escapes `saveWithEvents`. */
class StaleVersion extends Error {}

/**
 * The unit of work every SQL repository shares: the aggregate's row change and its events
 * in one transaction, then `markPersisted`. An aggregate with nothing recorded since it
 * was loaded costs no query. A stale version or a known unique violation rolls the whole
 * transaction back and comes back as a SaveConflict; anything else is thrown, also with
 * nothing written.
 *
 * The transaction runs on a fork of its own and awaits nothing but its own queries: PGlite
 * has one connection, and a transaction that waited on another fork would never finish.
 */
export async function saveWithEvents<E extends ConduitEvent>(
  orm: SqlOrm,
  aggregate: AggregateRoot<E>,
  field: string,
  writeRow: RowWrite,
): Promise<Result<void, SaveConflict>> {
  if (aggregate.version === aggregate.persistedVersion) return Ok(undefined);
  const events = aggregate.pullEvents();
  // Each accepted change records exactly one event. Fewer events than versions means the
  // instance was saved before, failed, and lost them: writing its row now would commit
  // a change the read models never hear of. Such an instance must be reloaded instead.
  if (events.length !== aggregate.version - aggregate.persistedVersion)
    throw new Error(
      `${field}: ${aggregate.version - aggregate.persistedVersion} unsaved version(s) but ${events.length} event(s); ` +
        'reload the aggregate after a failed save',
    );
  try {
    await orm.em.fork().transactional(async (tx) => {
      if (!(await writeRow(tx))) throw new StaleVersion();
      await appendToOutbox(tx, events);
    });
  } catch (error) {
    if (error instanceof StaleVersion) return Err(concurrentUpdate(field));
    const conflict = saveConflictOf(error, field);
    if (conflict !== null) return Err(conflict);
    throw error;
  }
  aggregate.markPersisted();
  return Ok(undefined);
}
