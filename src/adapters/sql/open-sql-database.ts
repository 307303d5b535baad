import type { LoggerOptions, MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM as PgliteOrm, type PgliteConnection } from '@mikro-orm/pglite';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { OrmQueryLog } from './orm-query-log.js';
import { lockDataDir } from './pglite-lock.js';
import { compactPgliteParsers } from './pglite-parsers.js';
import { PgliteRemote } from './pglite-remote.js';
import { PgliteStatements } from './pglite-statements.js';
import { RelaxedPool } from './postgres-statements.js';
import { SqlDatabase, type EmbeddedStatements, type SqlOrm } from './sql-database.js';
import { translateOutage } from './sql-errors.js';
import { writeModelEntities } from './write/entities.js';
import { migrations } from './write/migrations/index.js';

export interface SqlDatabaseOptions {
  /** postgres://… — when absent, the embedded PGlite database is used. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data folder, or 'memory://' for a throw-away database (tests). */
  readonly dataDir?: string;
  /** PostgreSQL pool size (ignored by PGlite, which is one connection in this process). */
  readonly poolSize?: number;
  /** Where the ORM's own messages (migrations applied) go; silent when absent. */
  readonly log?: (message: string) => void;
  /**
   * Where PGlite runs: `worker` (the default), in a thread of its own (pglite-remote.ts),
   * so its statements' work does not stop this thread's sockets; `main`, in this thread.
   */
  readonly embeddedThread?: 'worker' | 'main';
}

/** The settings both drivers' ORMs are opened with. */
const commonOptions = (options: SqlDatabaseOptions) =>
  ({
    entities: writeModelEntities,
    extensions: [Migrator] as (typeof Migrator)[],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false },
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
    colors: false,
    logger: options.log ?? (() => {}),
    loggerFactory: (logOptions: LoggerOptions) => new OrmQueryLog(logOptions),
  }) as const;

/**
 * Opens the write database: PostgreSQL when a URL is given, PGlite otherwise (locked to
 * this process: two processes on one data folder would corrupt it). Does not migrate:
 * the composition root migrates under `exclusively`.
 */
export async function openSqlDatabase(options: SqlDatabaseOptions): Promise<SqlDatabase> {
  const common = commonOptions(options);
  if (options.databaseUrl) {
    const orm = await PostgresOrm.init({
      ...common,
      clientUrl: options.databaseUrl,
      pool: { min: 0, max: options.poolSize ?? 10 },
    }).catch((error: unknown) => {
      throw translateOutage(error);
    });
    const relaxed = new RelaxedPool(options.databaseUrl, options.poolSize ?? 10);
    const ormPool = await orm.em
      .getConnection()
      .getNativeClient()
      .catch((error: unknown) => {
        throw translateOutage(error);
      });
    return new SqlDatabase(
      orm as unknown as SqlOrm,
      'postgresql',
      options.databaseUrl,
      async () => {
        await relaxed.close();
        await orm.close(true);
      },
      relaxed,
      [ormPool, relaxed.pool],
    );
  }
  const dataDir = options.dataDir ?? './data/pglite';
  const unlock = dataDir.startsWith('memory://') ? () => {} : lockDataDir(dataDir);
  return (options.embeddedThread ?? 'worker') === 'worker' ? openPgliteThread(common, dataDir, unlock) : openPgliteHere(common, dataDir, unlock);
}

type CommonOptions = ReturnType<typeof commonOptions>;

/** PGlite in its own thread: the ORM and SqlDatabase send it their statements (pglite-remote.ts). */
async function openPgliteThread(common: CommonOptions, dataDir: string, unlock: () => void): Promise<SqlDatabase> {
  let remote: PgliteRemote;
  try {
    remote = await PgliteRemote.start(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  let orm: MikroORM;
  try {
    orm = await PgliteOrm.init({ ...common, dbName: dataDir, driverOptions: { pglite: remote.client as never } });
  } catch (error) {
    await remote.close().finally(unlock);
    throw error;
  }
  return embeddedDatabase(orm, remote, () => remote.close().finally(unlock));
}

/** PGlite in this thread, opened by the ORM. */
async function openPgliteHere(common: CommonOptions, dataDir: string, unlock: () => void): Promise<SqlDatabase> {
  let orm: MikroORM;
  try {
    orm = await PgliteOrm.init({ ...common, dbName: dataDir });
  } catch (error) {
    unlock();
    throw error;
  }
  let statements: PgliteStatements;
  try {
    const pglite = await (orm.em.getConnection() as PgliteConnection).getNativeClient();
    await compactPgliteParsers(pglite);
    statements = new PgliteStatements(pglite);
    statements.serveQueries();
  } catch (error) {
    await orm.close(true).finally(unlock);
    throw error;
  }
  return embeddedDatabase(orm, statements, async () => unlock());
}

/** The SqlDatabase of the embedded PGlite; closing it closes the ORM, then runs `release` whatever happened. */
const embeddedDatabase = (orm: MikroORM, statements: EmbeddedStatements, release: () => Promise<void>): SqlDatabase =>
  new SqlDatabase(
    orm as unknown as SqlOrm,
    'pglite',
    undefined,
    async () => {
      try {
        await orm.close(true);
      } finally {
        await release();
      }
    },
    undefined,
    [],
    statements,
  );
