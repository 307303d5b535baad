import { inject, injectable } from 'inversify';
import type {
  EventOutbox,
  OutboxBacklog,
  OutboxEntry,
  OutboxFailure,
  OutboxSubscriber,
  ParkedEntry,
} from '../../../application/read-side/event-outbox.js';
import type { ConduitEvent } from '../../../domain/index.js';
import { SqlDatabase } from '../sql-database.js';

interface OutboxRow {
  position: string | number;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  payload: unknown;
  occurred_at: Date | string;
  attempts: number | null;
  trace_context: string | null;
}

const EVENT_COLUMNS = 'o.position, o.type, o.aggregate_type, o.aggregate_id, o.version, o.payload, o.occurred_at, o.trace_context';

const toEntry = (row: OutboxRow): OutboxEntry => ({
  position: Number(row.position),
  attempts: row.attempts ?? 0,
  ...(row.trace_context && { traceContext: row.trace_context }),
  // Only repositories write the outbox, and only ConduitEvents.
  event: {
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    version: row.version,
    occurredAt: new Date(row.occurred_at),
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
  } as ConduitEvent,
});

/** The notification channel the projector's acknowledgements are announced on (waiting writers listen). */
export const PROJECTED_CHANNEL = 'conduit_projected';

/**
 * The subscribers' side of the outbox, in single statements (no transaction is held
 * while a subscriber works: on PGlite that would block its own queries).
 *
 * Each subscriber's queue is `outbox_pending` rows under its name. `claim` leases due rows
 * with `FOR UPDATE SKIP LOCKED` inside one UPDATE, so concurrent processes on PostgreSQL
 * never claim the same due event at once; a lease that runs out (its owner was killed, and
 * stopped renewing) makes the event due again. `acknowledge` deletes the rows and, for the
 * projector, announces the positions to writers waiting for them, in the same statement.
 *
 * Claims, renewals, acknowledgements and failures commit with relaxed durability
 * (SqlDatabase.relaxed): a crash can only undo some of them, and an undone one means an
 * event is done again — harmless — never that one is lost.
 */
@injectable()
export class SqlEventOutbox implements EventOutbox {
  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async claim(subscriber: OutboxSubscriber, owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const rows = await this.db.relaxed.query<OutboxRow>(
      `with due as (
         select p.position from outbox_pending p
          where p.subscriber = $1 and p.parked_at is null
            and (p.next_attempt_at is null or p.next_attempt_at <= now())
            and (p.lease_expires_at is null or p.lease_expires_at < now())
          order by (p.awaited_until is not null and p.awaited_until > now()) desc, p.position
          limit $3
          for update skip locked),
       leased as (
         update outbox_pending p
            set lease_owner = $2, lease_expires_at = now() + $4::integer * interval '1 millisecond'
           from due where p.subscriber = $1 and p.position = due.position
         returning p.position, p.attempts)
       select ${EVENT_COLUMNS}, l.attempts from leased l join outbox o on o.position = l.position
        order by o.position`,
      [subscriber, owner, limit, leaseMs],
    );
    return rows.map(toEntry);
  }

  async renew(subscriber: OutboxSubscriber, owner: string, positions: readonly number[], leaseMs: number): Promise<void> {
    if (positions.length === 0) return;
    await this.db.relaxed.query(
      `update outbox_pending set lease_expires_at = now() + $4::integer * interval '1 millisecond'
        where subscriber = $1 and lease_owner = $2 and position = any($3::bigint[])`,
      [subscriber, owner, positions.map(String), leaseMs],
    );
  }

  async acknowledge(subscriber: OutboxSubscriber, positions: readonly number[]): Promise<void> {
    if (positions.length === 0) return;
    // Whoever owns the lease: if it ran out and another owner did the event too, it is done either way.
    const announce = subscriber === 'projector';
    await this.db.relaxed.query(
      `with done as (delete from outbox_pending where subscriber = $1 and position = any($2::bigint[]) returning position)
       select ${announce ? `pg_notify('${PROJECTED_CHANNEL}', string_agg(position::text, ','))` : 'count(*)'} as told
         from done having count(*) > 0`,
      [subscriber, positions.map(String)],
    );
  }

  async fail(subscriber: OutboxSubscriber, owner: string, position: number, { reason, retryAt }: OutboxFailure): Promise<void> {
    await this.db.relaxed.query(
      `update outbox_pending
          set attempts = attempts + 1, last_error = $4, next_attempt_at = $5::timestamptz,
              parked_at = case when $5::timestamptz is null then now() end,
              lease_owner = null, lease_expires_at = null
        where subscriber = $1 and position = $2 and (lease_owner = $3 or lease_owner is null)`,
      [subscriber, position, owner, reason.slice(0, 2000), retryAt?.toISOString() ?? null],
    );
  }

  async backlog(subscriber: OutboxSubscriber, countUpTo?: number): Promise<OutboxBacklog> {
    // Each part walks the queue's primary key (subscriber, position) and stops at the limit
    // (`limit null` is no limit); the oldest event is the lowest position still pending.
    const [row] = await this.db.query<{ pending: number; oldest_ms: number | null; parked: number }>(
      `select (select count(*)::int from (select 1 from outbox_pending
                 where subscriber = $1 and parked_at is null limit $2) s) as pending,
              (select (extract(epoch from now() - o.occurred_at) * 1000)::float8
                 from outbox_pending p join outbox o on o.position = p.position
                where p.subscriber = $1 and p.parked_at is null order by p.position limit 1) as oldest_ms,
              (select count(*)::int from (select 1 from outbox_pending
                 where subscriber = $1 and parked_at is not null limit $2) s) as parked`,
      [subscriber, countUpTo ?? null],
    );
    return { pending: row?.pending ?? 0, oldestAgeMs: row?.oldest_ms ?? null, parked: row?.parked ?? 0 };
  }

  async lastPosition(): Promise<number> {
    const [row] = await this.db.query<{ last: string | number | null }>(`select max(position) as last from outbox`);
    return Number(row?.last ?? 0);
  }

  async readAfter(position: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.query<OutboxRow>(
      `select ${EVENT_COLUMNS}, 0 as attempts from outbox o where o.position > $1 order by o.position limit $2`,
      [position, limit],
    );
    return rows.map(toEntry);
  }

  async parked(subscriber: OutboxSubscriber, limit: number): Promise<ParkedEntry[]> {
    const rows = await this.db.query<OutboxRow & { last_error: string | null; parked_at: Date | string }>(
      `select ${EVENT_COLUMNS}, p.attempts, p.last_error, p.parked_at
         from outbox_pending p join outbox o on o.position = p.position
        where p.subscriber = $1 and p.parked_at is not null order by p.position limit $2`,
      [subscriber, limit],
    );
    return rows.map((row) => ({ ...toEntry(row), reason: row.last_error ?? '', parkedAt: new Date(row.parked_at) }));
  }

  async requeueParked(subscriber: OutboxSubscriber): Promise<number> {
    const rows = await this.db.query<{ position: string }>(
      `update outbox_pending set parked_at = null, next_attempt_at = null, attempts = 0
        where subscriber = $1 and parked_at is not null returning position`,
      [subscriber],
    );
    return rows.length;
  }

  async subscribe(subscriber: OutboxSubscriber): Promise<void> {
    await this.db.query(`insert into outbox_subscribers (name) values ($1) on conflict (name) do nothing`, [subscriber]);
  }
}
