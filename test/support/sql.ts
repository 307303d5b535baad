import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openSqlDatabase } from '../../src/adapters/sql/open-sql-database.js';
import type { SqlDatabase } from '../../src/adapters/sql/sql-database.js';

/**
 * SQL databases for tests. PGlite always runs (in memory); PostgreSQL runs when
 * TEST_DATABASE_URL is set. Each PostgreSQL test file gets its own database, created from
 * that URL and dropped afterwards; a URL whose database name does not say it is for tests
 * is refused, so a test can never touch a real database.
 */
export type SqlKind = 'pglite' | 'postgres';

export const sqlKinds = (): SqlKind[] => (process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']);

export interface TestSqlDatabase {
  /** Opened and migrated. */
  readonly db: SqlDatabase;
  /** The PostgreSQL URL of this test database (undefined for PGlite), for child processes. */
  readonly url: string | undefined;
  /** Removes every row of every table except the migrations bookkeeping and the outbox's subscribers. */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

const assertTestUrl = (url: string): URL => {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/test/i.test(name))
    throw new Error(`TEST_DATABASE_URL must name a database for tests (its name must contain "test"), got "${name}"`);
  return parsed;
};

async function adminQuery(url: URL, sql: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new PostgreSQL test database, named after TEST_DATABASE_URL's, not migrated: what a first deployment starts on. */
export interface EmptyTestDatabase {
  readonly url: string;
  /** Drops it, closing whatever connections are left (processes a test killed). */
  drop(): Promise<void>;
}

export async function createEmptyTestDatabase(): Promise<EmptyTestDatabase> {
  const base = assertTestUrl(process.env.TEST_DATABASE_URL ?? '');
  const name = `${decodeURIComponent(base.pathname.slice(1))}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await adminQuery(base, `create database "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(base, `drop database if exists "${name}" with (force)`) };
}

/**
 * Opens a fresh, migrated test database of `kind`; or, given `existingUrl`, a second
 * connection to a test database someone else created (and will drop).
 */
export async function openTestDatabase(kind: SqlKind, existingUrl?: string): Promise<TestSqlDatabase> {
  let db: SqlDatabase;
  let drop: () => Promise<void> = async () => {};
  if (existingUrl !== undefined) {
    db = await openSqlDatabase({ databaseUrl: assertTestUrl(existingUrl).toString(), poolSize: 5 });
  } else if (kind === 'pglite') {
    db = await openSqlDatabase({ dataDir: 'memory://' });
  } else {
    const empty = await createEmptyTestDatabase();
    db = await openSqlDatabase({ databaseUrl: empty.url, poolSize: 5 });
    drop = empty.drop;
  }
  await db.exclusively('startup', () => db.migrate());
  const truncate = async () => {
    const rows = await db.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = current_schema()
          and tablename not in ('mikro_orm_migrations', 'outbox_subscribers')`,
    );
    if (rows.length === 0) return;
    const tables = rows.map((r) => `"${r.tablename}"`).join(', ');
    await db.query(`truncate ${tables} restart identity`);
    await db.query(`delete from outbox_subscribers where name <> 'projector'`);
  };
  return {
    db,
    url: db.url,
    truncate,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}
