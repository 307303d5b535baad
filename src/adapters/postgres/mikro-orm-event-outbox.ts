import type { AbstractSqlConnection } from '@mikro-orm/sql';
import { inject, injectable } from 'inversify';
import { CompiledQuery } from 'kysely';
import type { EventOutbox, OutboxEntry, ParkedEntry } from '../../application/projections/event-outbox.js';
import type { ConduitEvent } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';

interface OutboxRow {
  position: string | number;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  payload: unknown;
  occurred_at: Date | string;
  attempts: number;
}

const COLUMNS = 'position, type, aggregate_type, aggregate_id, version, payload, occurred_at, attempts';

/** Still to do: not applied, not parked. Matches the partial index `outbox_pending_index`. */
const TO_DO = 'applied_at is null and parked_at is null';

const toEntry = (row: OutboxRow): OutboxEntry => ({
  position: Number(row.position),
  attempts: row.attempts,
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

/**
 * The projectors' side of `outbox`, in single statements (no transaction is held while a
 * projection runs: on PGlite that would block the projection's own queries).
 *
 * `claim` leases rows with `FOR UPDATE SKIP LOCKED` inside one UPDATE, so concurrent
 * projector processes on PostgreSQL never claim the same due event at once; a lease that
 * runs out (its owner was killed) makes the event due again.
 */
@injectable()
export class MikroOrmEventOutbox implements EventOutbox {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  async claim(owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const rows = await this.rows<OutboxRow>(
      `update outbox o
          set lease_owner = $1, lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
        where o.position in (
          select position from outbox
           where ${TO_DO}
             and (next_attempt_at is null or next_attempt_at <= now())
             and (lease_expires_at is null or lease_expires_at < now())
           order by position
           limit $2
           for update skip locked)
        returning ${COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')}`,
      [owner, limit, leaseMs],
    );
    return rows.map(toEntry).sort((a, b) => a.position - b.position);
  }

  async markApplied(owner: string, positions: readonly number[]): Promise<void> {
    if (positions.length === 0) return;
    // Not filtered by owner: if a lease ran out and another owner applied the event too,
    // it is applied either way (projections are idempotent).
    await this.rows(
      `update outbox set applied_at = now(), lease_owner = null, lease_expires_at = null
        where position = any($1::bigint[]) and applied_at is null`,
      [positions.map(String)],
    );
    void owner;
  }

  async markFailed(owner: string, position: number, reason: string, retryAt: Date | null): Promise<void> {
    await this.rows(
      `update outbox
          set attempts = attempts + 1, last_error = $3, next_attempt_at = $4::timestamptz,
              parked_at = case when $4::timestamptz is null then now() end,
              lease_owner = null, lease_expires_at = null
        where position = $1 and applied_at is null and (lease_owner = $2 or lease_owner is null)`,
      [position, owner, reason.slice(0, 2000), retryAt?.toISOString() ?? null],
    );
  }

  async lastPosition(): Promise<number> {
    const [row] = await this.rows<{ last: string | number | null }>(`select max(position) as last from outbox`);
    return Number(row?.last ?? 0);
  }

  async projectedThrough(position: number): Promise<boolean> {
    const [row] = await this.rows<{ behind: boolean }>(
      `select exists (select 1 from outbox where ${TO_DO} and position <= $1) as behind`,
      [position],
    );
    return row?.behind === false;
  }

  async readAfter(position: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.rows<OutboxRow>(
      `select ${COLUMNS} from outbox where position > $1 order by position limit $2`,
      [position, limit],
    );
    return rows.map(toEntry);
  }

  async parked(limit: number): Promise<ParkedEntry[]> {
    const rows = await this.rows<OutboxRow & { last_error: string | null; parked_at: Date | string }>(
      `select ${COLUMNS}, last_error, parked_at from outbox where parked_at is not null order by position limit $1`,
      [limit],
    );
    return rows.map((row) => ({ ...toEntry(row), reason: row.last_error ?? '', parkedAt: new Date(row.parked_at) }));
  }

  async requeueParked(): Promise<number> {
    const rows = await this.rows<{ position: string }>(
      `update outbox set parked_at = null, next_attempt_at = null, attempts = 0
        where parked_at is not null returning position`,
    );
    return rows.length;
  }

  /** Real bind parameters through the Kysely client MikroORM owns (see sql-read-store). */
  private async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const connection = this.orm.em.getConnection() as AbstractSqlConnection;
    const result = await connection.getClient().executeQuery<T>(CompiledQuery.raw(sql, [...params]));
    return result.rows;
  }
}
