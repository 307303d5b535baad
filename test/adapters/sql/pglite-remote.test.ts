import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailable } from '../../../src/application/shared/errors.js';
import type { FinishedStatement } from '../../../src/adapters/sql/orm-query-log.js';
import { PgliteRemote } from '../../../src/adapters/sql/pglite-remote.js';
import { openSqlDatabase } from '../../../src/adapters/sql/open-sql-database.js';
import type { SqlDatabase } from '../../../src/adapters/sql/sql-database.js';

/**
 * PGlite in a thread of its own: what crosses between the threads (values, rows, errors
 * with their fields, transactions held open across messages) and what happens when that
 * thread is gone. The statements themselves are PgliteStatements' (pglite-statements.test.ts).
 */
describe('PGlite in its own thread', () => {
  let remote: PgliteRemote;

  beforeAll(async () => {
    remote = await PgliteRemote.start('memory://');
    await remote.client.exec(`
      create table items (id int primary key, name text not null unique, tags text[] not null default '{}', doc jsonb, at timestamptz);`);
  });
  afterAll(() => remote.close());

  it('carries values and rows across unchanged: the same rows as PGlite in this thread, for every kind of value', async () => {
    const here = await openSqlDatabase({ dataDir: 'memory://', embeddedThread: 'main' });
    try {
      await here.query(`create table items (id int primary key, name text not null unique, tags text[] not null default '{}', doc jsonb, at timestamptz)`);
      const insert = `insert into items values ($1, $2, $3::text[], $4, $5) returning *, at = $5 as same_instant`;
      const values = [1, 'one', ['a', 'b,c', 'd "e"'], { x: [1, null] }, new Date('2026-12-03T10:11:12.345Z')];
      const rows = await remote.query(insert, values);
      expect(rows).toEqual(await here.query(insert, values));
      expect(rows).toEqual([
        // Timestamps come as PostgreSQL's text, as the ORM's own parsers give them.
        { id: 1, name: 'one', tags: ['a', 'b,c', 'd "e"'], doc: { x: [1, null] }, at: '2026-12-03 10:11:12.345+00', same_instant: true },
      ]);
    } finally {
      await here.close();
    }
    const orm = await remote.client.query<{ n: number }>(`select count(*)::int as n from items where name = $1`, ['one'], { rowMode: 'object' });
    expect(orm.rows).toEqual([{ n: 1 }]);
    expect(orm.affectedRows).toBe(0);
  });

  it('raises PostgreSQL’s error with its SQLSTATE and constraint, as the drivers do', async () => {
    const failure = await remote.query(`insert into items (id, name) values ($1, $2)`, [2, 'one']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: '23505', constraint: 'items_name_key', message: expect.stringContaining('duplicate key') });
  });

  it('holds a transaction open across messages: others wait, and it commits whole and reports its BEGIN and COMMIT', async () => {
    const reported: FinishedStatement[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = remote.transaction(async (tx) => {
      await tx.query(`insert into items (id, name) values ($1, $2)`, [10, 'ten']);
      await held;
      await tx.query(`insert into items (id, name) values ($1, $2)`, [11, 'eleven']);
      return 'done';
    }, (done) => reported.push(done));
    // A statement outside runs once the transaction has ended, and sees both rows.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outside = remote.query<{ n: number }>(`select count(*)::int as n from items where id >= 10`, []);
    let outsideDone = false;
    void outside.then(() => (outsideDone = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideDone).toBe(false);
    release();
    expect(await transaction).toBe('done');
    expect(await outside).toEqual([{ n: 2 }]);
    expect(reported.map((statement) => [statement.sql, statement.failed])).toEqual([
      ['begin', false],
      ['commit', false],
    ]);
    expect(reported.every((statement) => statement.endedAt >= statement.startedAt)).toBe(true);
  });

  it('rolls a transaction back whole when its work fails, with the work’s error, and reports the ROLLBACK', async () => {
    const reported: string[] = [];
    const failure = await remote
      .transaction(async (tx) => {
        await tx.query(`insert into items (id, name) values ($1, $2)`, [20, 'twenty']);
        await tx.query(`insert into items (id, name) values ($1, $2)`, [21, 'one']);
      }, (done) => reported.push(done.sql))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '23505' });
    expect(reported).toEqual(['begin', 'rollback']);
    expect(await remote.query(`select id from items where id in (20, 21)`, [])).toEqual([]);
  });

  it('runs the ORM’s transactions (PGlite’s own, as migrations use them) and rolls them back on failure', async () => {
    await remote.client.transaction(async (tx) => {
      await tx.query(`insert into items (id, name) values ($1, $2)`, [30, 'thirty']);
    });
    await expect(
      remote.client.transaction(async (tx) => {
        await tx.query(`insert into items (id, name) values ($1, $2)`, [31, 'thirty-one']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await remote.query(`select id from items where id in (30, 31) order by id`, [])).toEqual([{ id: 30 }]);
  });
});

describe('the embedded database when its thread is gone', () => {
  let db: SqlDatabase;
  beforeAll(async () => {
    db = await openSqlDatabase({ dataDir: 'memory://', embeddedThread: 'worker' });
  });
  afterAll(() => db.close());

  it('fails every statement, waiting or later, as the database unavailable (503), not as a bug', async () => {
    await db.migrate();
    // The thread is ended while a transaction is open and a statement waits behind it: the
    // same, to this thread, as the other one crashing. It is ended while idle (between
    // messages), not inside a statement: a worker terminated while it runs WebAssembly can
    // take the whole process down with it (seen once here, as SIGTRAP).
    let inside!: () => void;
    let release!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    const held = db
      .transaction(async (tx) => {
        await tx.query('select 1');
        inside();
        await new Promise<void>((resolve) => (release = resolve));
        await tx.query('select 2');
      })
      .catch((error: unknown) => error);
    await entered;
    const waiting = db.query(`select 3`).catch((error: unknown) => error);
    const worker = (db as unknown as { pgliteStatements: { worker: { terminate(): Promise<number> } } }).pgliteStatements.worker;
    await worker.terminate();
    release();
    expect(await waiting).toBeInstanceOf(DependencyUnavailable);
    expect(await held).toBeInstanceOf(DependencyUnavailable);
    await expect(db.query('select 1')).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(db.transaction((tx) => tx.query('select 1'))).rejects.toBeInstanceOf(DependencyUnavailable);
  });
});

describe('a process with the embedded database open', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-remote-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits when it has nothing else to do: the idle thread does not hold it', async () => {
    // Opens the database on disk, runs one statement, and neither closes it nor exits.
    const script = `
      import { openSqlDatabase } from ${JSON.stringify(new URL('../../../src/adapters/sql/open-sql-database.ts', import.meta.url).href)};
      const db = await openSqlDatabase({ dataDir: ${JSON.stringify(join(dir, 'pglite'))}, embeddedThread: 'worker' });
      const [row] = await db.query('select 41 + 1 as n');
      console.log('answer', row.n);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 60_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(output).toContain('answer 42');
    expect(code).toBe(0);
  }, 90_000);
});
