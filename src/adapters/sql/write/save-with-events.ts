import { Err, Ok, type Result } from 'ts-results-es';
import type { OutboxAppendOptions, OutboxEntry } from '../../../application/read-side/event-outbox.js';
import type { CommitListener } from '../../../application/shared/commit-scope.js';
import { concurrentUpdate, type SaveConflict } from '../../../application/shared/persistence.js';
import { unsavedEvents } from '../../../application/shared/unit-of-work.js';
import type { AggregateRoot, ConduitEvent } from '../../../domain/index.js';
import type { SqlDatabase } from '../sql-database.js';
import { saveConflictOf } from '../sql-errors.js';

/**
 * The statement part that writes an aggregate's rows: common table expressions using the
 * parameters `$1…$n` of `params`, the one named `written` returning a row when the write
 * applied (no row: the stored version was not the loaded one). `answer` optionally adds
 * select-list expressions over the CTEs that the save hands back (e.g. a count it kept).
 */
export interface RowWrite {
  readonly ctes: readonly string[];
  readonly params: readonly unknown[];
  readonly answer?: string;
}

/** What every SQL save needs besides the aggregate: the database, how to queue, whom to tell. */
export interface SaveContext {
  readonly db: SqlDatabase;
  readonly append: OutboxAppendOptions;
  readonly commits: CommitListener;
}

const eventRecord = (event: ConduitEvent) => ({
  aggregate_type: event.aggregateType,
  aggregate_id: event.aggregateId,
  version: event.version,
  type: event.type,
  payload: event.payload,
  occurred_at: event.occurredAt.toISOString(),
});

/**
 * The unit of work every SQL repository shares, as ONE statement: the aggregate's rows,
 * its events appended to the outbox, and one queue entry per event for every outbox
 * subscriber (leased to this process when it projects its own events) — all or nothing,
 * since a single statement is atomic, so no transaction is opened and nothing else is
 * round-tripped. Then the aggregate is marked persisted and the commit reported.
 *
 * A stale version, or a known unique/foreign-key violation, comes back as a SaveConflict
 * with nothing written; anything else is thrown, also with nothing written.
 */
export async function saveWithEvents<E extends ConduitEvent>(
  context: SaveContext,
  aggregate: AggregateRoot<E>,
  field: string,
  write: () => RowWrite,
): Promise<Result<{ readonly answer: Record<string, unknown> }, SaveConflict>> {
  const events = unsavedEvents(aggregate, field);
  if (events.length === 0) return Ok({ answer: {} });
  const rows = write();
  const n = rows.params.length;
  const { ownLease, awaitMs } = context.append;
  const traceContext = context.append.traceContext?.();
  const sql = `with ${rows.ctes.join(',\n')},
    appended as (
      insert into outbox (aggregate_type, aggregate_id, version, type, payload, occurred_at, trace_context)
      select e.aggregate_type, e.aggregate_id, e.version, e.type, e.payload, e.occurred_at, $${n + 5}::text
        from jsonb_to_recordset($${n + 1}::jsonb) as e(aggregate_type text, aggregate_id text, version integer,
                                                    type text, payload jsonb, occurred_at timestamptz)
       where exists (select 1 from written)
      returning position, version),
    queued as (
      insert into outbox_pending (subscriber, position, lease_owner, lease_expires_at, awaited_until)
      select s.name, a.position,
             case when s.name = 'projector' then $${n + 2}::text end,
             case when s.name = 'projector' and $${n + 2}::text is not null
                  then now() + $${n + 3}::integer * interval '1 millisecond' end,
             case when s.name = 'projector' and $${n + 4}::integer > 0
                  then now() + $${n + 4}::integer * interval '1 millisecond' end
        from appended a cross join outbox_subscribers s)
    select a.position, a.version${rows.answer ? `, ${rows.answer}` : ''} from appended a`;
  let appended: ({ position: string | number; version: number } & Record<string, unknown>)[];
  try {
    appended = await context.db.query(sql, [
      ...rows.params,
      JSON.stringify(events.map(eventRecord)),
      ownLease?.owner ?? null,
      ownLease?.ms ?? 0,
      awaitMs,
      traceContext ?? null,
    ]);
  } catch (error) {
    const conflict = saveConflictOf(error, field);
    if (conflict !== null) return Err(conflict);
    throw error;
  }
  if (appended.length === 0) return Err(concurrentUpdate(field));
  aggregate.markPersisted();
  const positionOf = new Map(appended.map((row) => [row.version, Number(row.position)]));
  const entries: OutboxEntry[] = events.map((event) => ({
    position: positionOf.get(event.version) ?? 0,
    event,
    attempts: 0,
    ...(traceContext && { traceContext }),
  }));
  context.commits.committed(entries);
  const { position: _position, version: _version, ...answer } = appended[0] ?? {};
  return Ok({ answer });
}
