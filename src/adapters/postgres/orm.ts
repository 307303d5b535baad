import type { MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM as PgliteOrm } from '@mikro-orm/pglite';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import { mkdirSync } from 'node:fs';
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
    if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
    orm = await PgliteOrm.init({ ...common, dbName: dataDir });
  }
  if (options.migrate !== false) await orm.migrator.up();
  return orm as SqlOrm;
}
