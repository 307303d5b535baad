import { randomBytes } from 'node:crypto';
import { createSqlOrm, type SqlOrm } from '../../src/adapters/postgres/orm.js';

/**
 * SQL databases for tests. PGlite always runs (in memory); PostgreSQL runs when
 * TEST_DATABASE_URL is set. Each PostgreSQL test file gets its own database, created from
 * that URL and dropped afterwards; a URL whose database name does not say it is for tests
 * is refused, so a test can never touch a real database.
 */
export type SqlKind = 'pglite' | 'postgres';

export const sqlKinds = (): SqlKind[] => (process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']);

export interface TestSqlDatabase {
  readonly orm: SqlOrm;
  /** The PostgreSQL URL of this test database (undefined for PGlite), for child processes. */
  readonly url: string | undefined;
  /** Removes every row of every table except the migrations bookkeeping. */
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
  const orm = await createSqlOrm({ databaseUrl: admin.toString(), migrate: false, poolSize: 1 });
  try {
    await orm.em.fork().getConnection().execute(sql);
  } finally {
    await orm.close(true);
  }
}

/**
 * Opens a fresh test database of `kind`; or, given `existingUrl`, a second connection to a
 * test database someone else created (and will drop).
 */
export async function openTestDatabase(kind: SqlKind, existingUrl?: string): Promise<TestSqlDatabase> {
  let orm: SqlOrm;
  let drop: () => Promise<void> = async () => {};
  let databaseUrl: string | undefined;
  if (existingUrl !== undefined) {
    databaseUrl = assertTestUrl(existingUrl).toString();
    orm = await createSqlOrm({ databaseUrl, poolSize: 5 });
  } else if (kind === 'pglite') {
    orm = await createSqlOrm({ dataDir: 'memory://' });
  } else {
    const base = assertTestUrl(process.env.TEST_DATABASE_URL ?? '');
    const name = `${decodeURIComponent(base.pathname.slice(1))}_${randomBytes(4).toString('hex')}`.toLowerCase();
    await adminQuery(base, `create database "${name}"`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    orm = await createSqlOrm({ databaseUrl, poolSize: 5 });
    drop = () => adminQuery(base, `drop database if exists "${name}" with (force)`);
  }
  const truncate = async () => {
    const rows = await orm.em
      .fork()
      .getConnection()
      .execute<{ tablename: string }[]>(
        `select tablename from pg_tables where schemaname = current_schema() and tablename <> 'mikro_orm_migrations'`,
      );
    if (rows.length === 0) return;
    const tables = rows.map((r: { tablename: string }) => `"${r.tablename}"`).join(', ');
    await orm.em.fork().getConnection().execute(`truncate ${tables} restart identity cascade`);
  };
  return {
    orm,
    url: databaseUrl,
    truncate,
    close: async () => {
      await orm.close(true);
      await drop();
    },
  };
}
