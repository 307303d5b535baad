import { inject, injectable } from 'inversify';
import type { IdempotencyClaim, IdempotencyRecord, IdempotencyStore } from '../../../application/shared/idempotency.js';
import { SqlDatabase } from '../sql-database.js';

interface RecordRow {
  fingerprint: string;
  status: number | null;
  answer: string | null;
}

/**
 * `idempotency_keys`. A claim is one statement: an insert that takes the key, or takes it
 * over once it is older than the retention; a concurrent claim of the same key waits on the
 * primary key for the first one's insert and then finds it. Nothing here runs inside a
 * command's transaction: the claim is taken before the command and the answer kept after it.
 */
@injectable()
export class SqlIdempotency implements IdempotencyStore {
  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async claim(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<IdempotencyClaim> {
    const claimed = await this.db.query<{ claimed: boolean }>(
      `insert into idempotency_keys (scope, key, fingerprint) values ($1, $2, $3)
       on conflict (scope, key) do update
         set fingerprint = excluded.fingerprint, status = null, answer = null, created_at = now()
         where idempotency_keys.created_at < now() - make_interval(secs => $4)
       returning true as claimed`,
      [scope, key, fingerprint, ttlSeconds],
    );
    if (claimed.length > 0) return { kind: 'claimed' };
    const record = await this.find(scope, key, ttlSeconds);
    // Released between the two statements: the key is free again, so claim it afresh.
    return record === null ? this.claim(scope, key, fingerprint, ttlSeconds) : { kind: 'taken', record };
  }

  async find(scope: string, key: string, ttlSeconds: number): Promise<IdempotencyRecord | null> {
    const [row] = await this.db.query<RecordRow>(
      `select fingerprint, status, answer from idempotency_keys
       where scope = $1 and key = $2 and created_at >= now() - make_interval(secs => $3)`,
      [scope, key, ttlSeconds],
    );
    return row === undefined ? null : { fingerprint: row.fingerprint, status: row.status, answer: row.answer };
  }

  async complete(scope: string, key: string, status: number, answer: string): Promise<void> {
    await this.db.query(`update idempotency_keys set status = $3, answer = $4 where scope = $1 and key = $2`, [
      scope,
      key,
      status,
      answer,
    ]);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db.query(`delete from idempotency_keys where scope = $1 and key = $2 and status is null`, [scope, key]);
  }

  async sweep(ttlSeconds: number): Promise<number> {
    const gone = await this.db.query<{ key: string }>(
      `delete from idempotency_keys where created_at < now() - make_interval(secs => $1) returning key`,
      [ttlSeconds],
    );
    return gone.length;
  }
}
