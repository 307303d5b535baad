import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresCredentialChanges } from '../../../src/adapters/sql/write/postgres-credential-changes.js';
import { openTestDatabase, type TestSqlDatabase } from '../../support/sql.js';
import { until } from '../../support/until.js';

/** The `users` triggers (migration 0007) and the LISTEN feed on a real PostgreSQL. Needs TEST_DATABASE_URL. */
describe.skipIf(!process.env.TEST_DATABASE_URL)('credential changes announced by PostgreSQL', () => {
  let database: TestSqlDatabase;
  let feed: PostgresCredentialChanges;
  const heard: (string | null)[] = [];
  const events: string[] = [];
  const insertUser = (id: string, name: string) =>
    database.db.query(
      `insert into users (id, username, username_key, email, password_hash, version, created_at, updated_at)
       values ($1, $2, $2, $2 || '@x.test', 'h', 1, now(), now())`,
      [id, name],
    );

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    feed = new PostgresCredentialChanges(database.url ?? '', {
      lost: () => events.push('lost'),
      regained: () => events.push('regained'),
      unconfirmed: () => events.push('unconfirmed'),
    });
    feed.onChange((userId) => heard.push(userId));
    await feed.start();
  }, 60_000);
  afterAll(async () => {
    await feed.close();
    await database.close();
  });

  it('announces role and revocation changes and deletions, never profile edits or registrations', async () => {
    expect(feed.live()).toBe(true);
    heard.length = 0;
    const a = '0190a6b2-7c1e-7a3b-9c2d-000000000001';
    const b = '0190a6b2-7c1e-7a3b-9c2d-000000000002';
    await insertUser(a, 'alice');
    await insertUser(b, 'bob');
    await database.db.query(`update users set bio = 'hi', version = version + 1 where id = $1`, [a]);
    await database.db.query(`update users set role = role where id = $1`, [a]);
    await database.db.query(`update users set role = 'admin' where id = $1`, [a]);
    await database.db.query(`update users set tokens_valid_from = now() where id = $1`, [b]);
    await database.db.query(`delete from users where id = $1`, [a]);
    await until('three announcements', () => heard.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).toEqual([a, b, a]);
    await database.db.query(`truncate users cascade`);
    await until('the truncation', () => heard.length >= 4);
    expect(heard[3]).toBeNull();
  });

  it('is not live while its connection is gone, tells everyone to forget, and listens again by itself', async () => {
    heard.length = 0;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1`,
        [`conduit-credentials:${feed.id}`],
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await until('the loss', () => !feed.live());
    expect(events).toContain('lost');
    expect(heard).toContain(null);
    await until('the feed back', () => feed.live());
    expect(events.at(-1)).toBe('regained');
    heard.length = 0;
    const c = '0190a6b2-7c1e-7a3b-9c2d-000000000003';
    await insertUser(c, 'carol');
    await database.db.query(`update users set tokens_valid_from = now() where id = $1`, [c]);
    await until('the announcement after reconnecting', () => heard.includes(c));
  });

  it('confirms a fence once every other listener told its listeners of every change committed before it', async () => {
    const other = new PostgresCredentialChanges(database.url ?? '', { lost() {}, regained() {}, unconfirmed() {} });
    const heardThere: (string | null)[] = [];
    other.onChange((userId) => heardThere.push(userId));
    await other.start();
    try {
      const d = '0190a6b2-7c1e-7a3b-9c2d-000000000004';
      await insertUser(d, 'dave');
      for (let round = 0; round < 20; round++) {
        heardThere.length = 0;
        await database.db.query(`update users set tokens_valid_from = now() where id = $1`, [d]);
        expect(await feed.heardEverywhere()).toBe(true);
        // Not a wait: when the fence is confirmed the other process has already forgotten.
        expect(heardThere, `round ${round}`).toContain(d);
      }
      expect(await other.heardEverywhere()).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('waits for a listener that has not confirmed, gives up after its bound, and answers false while not listening', async () => {
    const missing: string[][] = [];
    const asker = new PostgresCredentialChanges(database.url ?? '', { lost() {}, regained() {}, unconfirmed: (ids) => void missing.push([...ids]) }, 300);
    expect(await asker.heardEverywhere()).toBe(false);
    await asker.start();
    // A listener by hand: named as one, hearing fences, confirming only when the test says.
    const silent = new pg.Client({ connectionString: database.url });
    await silent.connect();
    const fences: string[] = [];
    silent.on('notification', (message) => {
      if (message.payload?.startsWith('fence:')) fences.push(message.payload);
    });
    await silent.query(`listen conduit_credentials; set application_name = 'conduit-credentials:abcdefabcdef'`);
    try {
      expect(await asker.heardEverywhere()).toBe(false);
      expect(missing.at(-1)).toContain('abcdefabcdef');

      fences.length = 0;
      let settled: boolean | null = null;
      const waiting = asker.heardEverywhere().then((heard) => (settled = heard));
      await until('the fence heard by hand', () => fences.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBeNull();
      const [, askerId, number] = (fences[0] ?? '').split(':');
      expect(askerId).toBe(asker.id);
      await silent.query('select pg_notify($1, $2)', [`conduit_credentials_heard_${asker.id}`, `${number}:abcdefabcdef`]);
      await waiting;
      expect(settled).toBe(true);
    } finally {
      await silent.end();
      await asker.close();
    }
  });
});
