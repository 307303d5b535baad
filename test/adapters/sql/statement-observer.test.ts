import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetrics, statementKind } from '../../../src/adapters/prometheus/prometheus-metrics.js';
import type { SqlExecutor, StatementObserver } from '../../../src/adapters/sql/sql-database.js';
import { sample } from '../../observability/exposition.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';

/** What an observer was told, in order: `>` opens a `statement`, `<` closes it (`!` failed), `ran` a finished one. */
function recorder(): { observer: StatementObserver; told: string[] } {
  const told: string[] = [];
  const first = (sql: string) => sql.trim().split(/\s+/)[0]!.toLowerCase();
  return {
    told,
    observer: {
      statement: async (sql, work) => {
        told.push(`> ${first(sql)}`);
        try {
          const result = await work();
          told.push(`< ${first(sql)}`);
          return result;
        } catch (error) {
          told.push(`<! ${first(sql)}`);
          throw error;
        }
      },
      ran: ({ sql, startedAt, endedAt, failed }) => {
        expect(endedAt).toBeGreaterThanOrEqual(startedAt);
        told.push(`ran ${first(sql)}${failed ? ' !' : ''}`);
      },
    },
  };
}

/** One statement alone, a transaction that commits, one that fails and rolls back. */
async function workload(db: { query: SqlExecutor['query']; transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> }, table: string) {
  await db.query(`select count(*) from ${table}`);
  await db.transaction(async (tx) => {
    await tx.query(`insert into ${table} (n) values ($1)`, [1]);
    await tx.query(`update ${table} set n = n + 1 where n = $1`, [1]);
  });
  await expect(
    db.transaction(async (tx) => {
      await tx.query(`insert into ${table} (n) values ($1)`, [3]);
      await tx.query(`insert into ${table} (n) values ($1)`, [3]);
    }),
  ).rejects.toMatchObject({ code: '23505' });
}

/** What every driver tells of `workload`: each statement once, the transaction's inside its pseudo-statement. */
const TOLD = [
  '> select',
  '< select',
  '> transaction',
  'ran begin',
  '> insert',
  '< insert',
  '> update',
  '< update',
  'ran commit',
  '< transaction',
  '> transaction',
  'ran begin',
  '> insert',
  '< insert',
  '> insert',
  '<! insert',
  'ran rollback',
  '<! transaction',
];

describe.each(sqlKinds())('SqlDatabase tells its observers of every statement (%s)', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.db.query('create table observed_probe (n int primary key)');
    await db.db.query('create table relaxed_observed_probe (n int primary key)');
  });
  afterAll(async () => db?.close());

  it('each statement once, a transaction’s within it with its begin and commit or rollback, to both observers', async () => {
    const metrics = recorder();
    const traces = recorder();
    db.db.observe(metrics.observer);
    db.db.observe(traces.observer);
    await workload(db.db, 'observed_probe');
    // The relaxed executor (a pool of its own on PostgreSQL) tells the same.
    await workload(db.db.relaxed, 'relaxed_observed_probe');
    // A statement the ORM runs by itself is told once it is done.
    await db.db.orm.em.getConnection().execute('select 1 as one');

    const expected = [...TOLD, ...TOLD, 'ran select'];
    expect(metrics.told).toEqual(expected);
    expect(traces.told).toEqual(expected);
    // Nothing half-written by the failed transaction.
    expect(await db.db.query('select n from observed_probe')).toEqual([{ n: 2 }]);
  });
});

describe.each(sqlKinds())('conduit_db_statements_total and conduit_db_statement_duration_seconds (%s)', (kind) => {
  let db: TestSqlDatabase;
  const metrics = new PrometheusMetrics();
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.db.query('create table counted_probe (n int primary key)');
    db.db.observe(metrics.statements());
  });
  afterAll(async () => db?.close());

  it('counts and times every statement by kind and outcome, the transaction itself not being one', async () => {
    await workload(db.db, 'counted_probe');
    const { body } = await metrics.exposition();
    const sent = (kind: string, outcome = 'ok') => sample(body, 'conduit_db_statements_total', { kind, outcome });
    const timed = (kind: string) => sample(body, 'conduit_db_statement_duration_seconds_count', { kind });
    expect([sent('select'), sent('begin'), sent('insert'), sent('update'), sent('commit'), sent('rollback')]).toEqual([1, 2, 2, 1, 1, 1]);
    expect(sent('insert', 'error')).toBe(1);
    expect(sent('other')).toBeUndefined();
    expect([timed('select'), timed('begin'), timed('insert'), timed('update'), timed('commit'), timed('rollback')]).toEqual([1, 2, 3, 1, 1, 1]);
    expect(sample(body, 'conduit_db_statement_duration_seconds_sum', { kind: 'insert' })).toBeGreaterThan(0);
    expect(body).not.toContain('kind="transaction"');
  });
});

describe('statementKind', () => {
  it('is the first word, from a fixed set, whatever the case and leading space', () => {
    expect(
      ['select 1', '\n  WITH a as (select 1) select * from a', 'insert into t', 'update t', 'delete from t', 'Begin', 'start transaction', 'commit', 'rollback', 'savepoint trx1', 'release savepoint trx1', 'vacuum (analyze)'].map(statementKind),
    ).toEqual(['select', 'with', 'insert', 'update', 'delete', 'begin', 'begin', 'commit', 'rollback', 'savepoint', 'savepoint', 'vacuum']);
    expect(['show synchronous_commit', 'create table t (n int)', '', '-- a comment'].map(statementKind)).toEqual(['other', 'other', 'other', 'other']);
  });
});
