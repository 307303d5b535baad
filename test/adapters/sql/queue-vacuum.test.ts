import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApplication } from '../../../src/composition/processes.js';
import { loadConfig } from '../../../src/config/config.js';
import { FastTestHasher } from '../../http/support/client.js';
import { sample } from '../../observability/exposition.js';
import { openStackEnvironment } from '../../support/app.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';

describe.each(sqlKinds())('SqlDatabase.vacuumQueues (%s)', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // A second generation's pending count deltas, in a schema of its own: found by name, like every generation's.
    await db.db.query('create schema rm_vacuum_probe');
    await db.db.query('create table rm_vacuum_probe.rm_count_deltas (id bigserial primary key, kind text, key text, n int)');
  });
  afterAll(async () => db?.close());

  const pages = async (table: string) =>
    Number((await db.db.query<{ size: string }>(`select pg_relation_size($1) as size`, [table]))[0]!.size);

  it('gives back the space of every row the queue and the count deltas passed through, and no other table’s', async () => {
    await db.db.query('create table vacuum_bystander (n int)');
    for (const table of ['vacuum_bystander', 'rm_vacuum_probe.rm_count_deltas'])
      await db.db.query(table === 'vacuum_bystander' ? `insert into ${table} select generate_series(1, 2000)` : `insert into ${table} (kind, key, n) select 'count', 'k' || i, 1 from generate_series(1, 2000) i`);
    await db.db.query(`insert into outbox_pending (subscriber, position) select 'projector', i from generate_series(1000001, 1002000) i`);
    for (const table of ['vacuum_bystander', 'rm_vacuum_probe.rm_count_deltas']) await db.db.query(`delete from ${table}`);
    await db.db.query(`delete from outbox_pending where position > 1000000`);
    for (const table of ['outbox_pending', 'rm_vacuum_probe.rm_count_deltas', 'vacuum_bystander']) expect(await pages(table), table).toBeGreaterThan(0);

    await db.db.vacuumQueues();

    // Nothing live left in them: VACUUM removes the dead rows and truncates the emptied pages.
    expect(await pages('outbox_pending')).toBe(0);
    expect(await pages('rm_vacuum_probe.rm_count_deltas')).toBe(0);
    expect(await pages('vacuum_bystander')).toBeGreaterThan(0);
  });
});

describe('the embedded database’s vacuums', () => {
  it('vacuum the queue tables every 5 s at most, not only at the whole database’s interval (60 s here)', { timeout: 120_000 }, async () => {
    const stack = await openStackEnvironment('pglite');
    const application = await createApplication(
      { ...loadConfig(stack.env as NodeJS.ProcessEnv), embeddedVacuumIntervalS: 60 },
      { logger: pino({ level: 'silent' }), passwordHasher: new FastTestHasher() },
    );
    try {
      const vacuums = async () => {
        const res = await application.http.inject({ method: 'GET', url: '/metrics' });
        return sample(res.body, 'conduit_db_statements_total', { kind: 'vacuum', outcome: 'ok' }) ?? 0;
      };
      const started = performance.now();
      expect(await vacuums()).toBe(0);
      while ((await vacuums()) === 0 && performance.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 200));
      const waitedMs = performance.now() - started;
      expect(await vacuums()).toBeGreaterThan(0);
      expect(waitedMs).toBeLessThan(10_000);
    } finally {
      await application.close();
      await stack.close();
    }
  });
});
