import { createHash } from 'node:crypto';
import pg from 'pg';
import { reported, type FinishedStatement } from './orm-query-log.js';
import { MAX_NAMED_STATEMENTS, PREPARABLE } from './pglite-statements.js';
import type { SqlExecutor, SqlTransactor } from './sql-database.js';
import { translateOutage } from './sql-errors.js';

/*
 * How SqlDatabase's statements reach PostgreSQL: prepared under names, on the ORM's pool or
 * on the relaxed pool, and its transactions with their own BEGIN and COMMIT (PGlite's
 * counterpart is pglite-statements.ts).
 */

/** Names given so far, by statement text; past `MAX_NAMED_STATEMENTS`, further texts run unnamed. */
const statementNames = new Map<string, string>();

/**
 * A statement for node-postgres, named after a hash of its text: each connection parses and
 * plans it once, then only binds and executes it (the statements here are a fixed set of
 * texts with bind parameters — values never reach the text). Planning the larger statements
 * (the saves' and projections' common table expressions) again on every call was a good
 * part of the database's CPU per write.
 */
export function prepared(text: string, params: readonly unknown[]): pg.QueryConfig {
  const values = [...params];
  if (!PREPARABLE.test(text)) return { text, values };
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= MAX_NAMED_STATEMENTS) return { text, values };
    name = `c${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/** Date and time types stay text, as MikroORM's own connection keeps them, so both executors answer alike. */
const RAW_TEXT_TYPES = [1082, 1114, 1184, 1186];

/**
 * Runs `work` in one READ COMMITTED transaction on a connection of `pool`, its statements
 * prepared under names (`prepared`) like those outside transactions: BEGIN, then COMMIT,
 * or ROLLBACK if anything fails (the first error is the one that comes out). `report` is
 * told of each of the three once it is done.
 */
export async function pooledTransaction<T>(pool: pg.Pool, work: (tx: SqlExecutor) => Promise<T>, report?: (done: FinishedStatement) => void): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => {
    throw translateOutage(error);
  });
  try {
    await reported('begin', () => client.query('begin'), report);
    const result = await work({
      query: async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(prepared(sql, params))).rows as R[],
    });
    await reported('commit', () => client.query('commit'), report);
    return result;
  } catch (error) {
    await reported('rollback', () => client.query('rollback'), report).catch(() => undefined);
    throw translateOutage(error);
  } finally {
    client.release();
  }
}

/** SqlDatabase.relaxed on PostgreSQL: a small pool of its own whose sessions commit asynchronously. */
export class RelaxedPool implements SqlTransactor {
  readonly pool: pg.Pool;

  constructor(url: string, size: number) {
    const types = new pg.TypeOverrides();
    for (const oid of RAW_TEXT_TYPES) types.setTypeParser(oid, (text: string) => text);
    this.pool = new pg.Pool({ connectionString: url, max: size, types, options: '-c synchronous_commit=off' });
    // An idle client's error (the server went away) must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      return (await this.pool.query(prepared(sql, params))).rows as T[];
    } catch (error) {
      throw translateOutage(error);
    }
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, report?: (done: FinishedStatement) => void): Promise<T> {
    return pooledTransaction(this.pool, work, report);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
