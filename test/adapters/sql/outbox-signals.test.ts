import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresOutboxSignals } from '../../../src/adapters/sql/outbox/postgres-outbox-signals.js';
import { openTestDatabase, type TestSqlDatabase } from '../../support/sql.js';
import { until } from '../../support/until.js';

/** The outbox's LISTEN/NOTIFY signals on a real PostgreSQL, through the loss of their connection. Needs TEST_DATABASE_URL. */
describe.skipIf(!process.env.TEST_DATABASE_URL)('outbox signals over PostgreSQL LISTEN', () => {
  let database: TestSqlDatabase;
  let signals: PostgresOutboxSignals;
  const errors: unknown[] = [];
  const notify = (channel: string, payload: string) => database.db.query('select pg_notify($1, $2)', [channel, payload]);

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    signals = new PostgresOutboxSignals(database.url ?? '', (error) => errors.push(error));
    await signals.start();
  }, 60_000);
  afterAll(async () => {
    await signals.close();
    await database.close();
  });

  const heardWork = async (): Promise<boolean> => {
    const started = performance.now();
    const next = signals.nextWork(5_000, new AbortController().signal);
    await notify('conduit_outbox', '');
    await next;
    return performance.now() - started < 4_000;
  };

  it('wakes a waiting worker on new work and a waiting writer on its projected positions', async () => {
    expect(signals.live()).toBe(true);
    expect(await heardWork()).toBe(true);
    const projected = signals.projected([41, 42], 5_000);
    await notify('conduit_projected', '40,41');
    await notify('conduit_projected', '42');
    expect(await projected).toBe(true);
  });

  it('listens again by itself after its connection is killed, waking the workers when it goes', async () => {
    const waiting = signals.nextWork(30_000, new AbortController().signal);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query = 'listen conduit_outbox; listen conduit_projected'`,
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    // Announcements may be lost while it is down: the workers are told to look for themselves.
    await waiting;
    await until('the loss reported', () => errors.length > 0);
    await until('listening again', () => signals.live());
    expect(await heardWork()).toBe(true);
  });

  it('leaves no connection open when closed while its first attempt is still under way', async () => {
    const listeners = async () =>
      (
        await database.db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'listen conduit_outbox%'`,
        )
      )[0]?.n;
    const before = await listeners();
    const early = new PostgresOutboxSignals(database.url ?? '', () => undefined);
    const starting = early.start();
    await early.close();
    await starting;
    expect(early.live()).toBe(false);
    await until('the early connection gone', async () => (await listeners()) === before);
  });

  it('rejects a first attempt that fails, and stops trying once closed', async () => {
    const failures: unknown[] = [];
    const nowhere = new PostgresOutboxSignals('postgresql://postgres@127.0.0.1:1/none', (error) => failures.push(error));
    await expect(nowhere.start()).rejects.toThrow();
    await nowhere.close();
    const told = failures.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(failures.length).toBe(told);
    expect(nowhere.live()).toBe(false);
  });
});
