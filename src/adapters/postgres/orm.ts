import type { MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM as PgliteOrm } from '@mikro-orm/pglite';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { writeModelEntities } from './entities.js';
import { migrations } from './migrations/index.js';

/** Both drivers are PostgreSQL dialects on the SQL layer; adapters only rely on that. */
export type SqlOrm = MikroORM<AbstractSqlDriver, SqlEntityManager>;
/** The container binds the one opened SqlOrm under this token; SQL adapters inject it. */
export const SqlOrmToken = Symbol.for('SqlOrm');

export interface SqlOrmOptions {
  /** postgres://… — when absent, the embedded PGlite database is used. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data folder, or 'memory://' for a throw-away database (tests). */
  readonly dataDir?: string;
  /** PostgreSQL pool size (ignored by PGlite, which is one in-process connection). */
  readonly poolSize?: number;
  /** Run pending migrations before returning (default true). */
  readonly migrate?: boolean;
  /** Where the ORM's own messages (migrations applied) go; silent when absent. */
  readonly log?: (message: string) => void;
}

export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
}

/**
 * PGlite is a single-process database: two processes writing one data folder corrupt it.
 * A lock file next to the folder holds the owner's pid; a live owner makes a second opener
 * fail with a clear message, a dead one (crash, kill -9) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner))
        throw new DatabaseInUseError(
          `The embedded database in ${dataDir} is in use by process ${owner}. Stop it first, or set DATABASE_URL to use PostgreSQL.`,
        );
      unlinkSync(lockFile);
    }
  }
  throw new DatabaseInUseError(`Could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Opens the write database (PostgreSQL when a URL is given, PGlite otherwise) with the
 * write-model mappings and brings its schema up to date with the migrations in the repo.
 */
export async function createSqlOrm(options: SqlOrmOptions): Promise<SqlOrm> {
  const common = {
    entities: writeModelEntities,
    extensions: [Migrator] as (typeof Migrator)[],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false },
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
    colors: false,
    logger: options.log ?? (() => {}),
  } as const;
  let orm: MikroORM;
  if (options.databaseUrl) {
    orm = await PostgresOrm.init({
      ...common,
      clientUrl: options.databaseUrl,
      pool: { min: 0, max: options.poolSize ?? 10 },
    });
  } else {
    const dataDir = options.dataDir ?? './data/pglite';
    let unlock = () => {};
    if (!dataDir.startsWith('memory://')) {
      mkdirSync(dataDir, { recursive: true });
      unlock = lockDataDir(dataDir);
    }
    try {
      orm = await PgliteOrm.init({ ...common, dbName: dataDir });
    } catch (error) {
      unlock();
      throw error;
    }
    const close = orm.close.bind(orm);
    orm.close = async (force?: boolean) => {
      try {
        await close(force);
      } finally {
        unlock();
      }
    };
  }
  if (options.migrate !== false) await orm.migrator.up();
  return orm as SqlOrm;
}
