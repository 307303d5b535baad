// What the benchmark does to a PostgreSQL server itself, with node-postgres: a throw-away
// database, settings on that database only, VACUUM ANALYZE, the write baseline's scratch
// tables, and the server facts the report shows. Every client here is short-lived.
import pg from 'pg';
import { CREATE_SCRATCH, DROP_SCRATCH } from '../baselines/scratch-schema.mjs';

/** The same server URL with another database. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export const databaseOf = (url) => decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';

const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (value) => `'${String(value).replace(/'/g, "''")}'`;

/** Runs `work(client)` on a fresh connection to `url`, closed afterwards. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    // The benchmark's own statements never count as the application's.
    await client.query('set log_min_duration_statement = -1');
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createDatabase(serverUrl, name) {
  await withClient(serverUrl, (c) => c.query(`create database ${quoteIdent(name)}`));
}

export async function dropDatabase(serverUrl, name) {
  await withClient(serverUrl, (c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`));
}

/** `ALTER DATABASE … SET` for each setting: new sessions of that database only pick them up. */
export async function setDatabaseSettings(url, settings) {
  const name = databaseOf(url);
  await withClient(url, async (c) => {
    for (const [key, value] of Object.entries(settings))
      await c.query(`alter database ${quoteIdent(name)} set ${key} = ${quoteLiteral(value)}`);
  });
}

export async function resetDatabaseSettings(url, keys) {
  const name = databaseOf(url);
  await withClient(url, async (c) => {
    for (const key of keys) await c.query(`alter database ${quoteIdent(name)} reset ${key}`);
  });
}

/** VACUUM (ANALYZE) of the whole bench database; resolves with the seconds it took. */
export async function vacuumAnalyze(url) {
  const started = performance.now();
  await withClient(url, (c) => c.query('vacuum (analyze)'));
  return Math.round(performance.now() - started) / 1000;
}

export async function createScratchTables(url) {
  await withClient(url, async (c) => {
    for (const sql of CREATE_SCRATCH) await c.query(sql);
  });
}

export async function dropScratchTables(url) {
  await withClient(url, (c) => c.query(DROP_SCRATCH));
}

export async function countArticles(url) {
  return withClient(url, async (c) => Number((await c.query('select count(*)::int as n from articles')).rows[0].n));
}

/** The settings that decide what a write costs here, for the report. */
export async function serverFacts(url) {
  return withClient(url, async (c) => {
    const { rows } = await c.query(
      `select name, setting, unit from pg_settings where name = any($1::text[]) order by name`,
      [['autovacuum', 'fsync', 'synchronous_commit', 'shared_buffers', 'shared_preload_libraries', 'max_connections', 'wal_level']],
    );
    const facts = { version: (await c.query('show server_version')).rows[0].server_version };
    for (const row of rows) facts[row.name] = row.unit === '8kB' ? `${(Number(row.setting) * 8) / 1024} MB` : row.setting;
    return facts;
  });
}
