import type { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { OutboxSignals } from '../application/read-side/event-outbox.js';
import { ReadSideStartup } from '../application/read-side/read-side-startup.js';
import { DependencyUnavailable } from '../application/shared/errors.js';
import type { ReadinessCheck } from '../adapters/http/http-deps.js';
import { LocalOutboxSignals } from '../adapters/memory/local-outbox-signals.js';
import { memoryModule } from '../adapters/memory/memory.module.js';
import { mongoReadStoreModule } from '../adapters/mongodb/mongodb.module.js';
import type { MongoCommandObserver } from '../adapters/mongodb/mongo-commands.js';
import { connectInBackground, createMongoReadOrm } from '../adapters/mongodb/mongo-read-orm.js';
import { PostgresOutboxSignals } from '../adapters/sql/outbox/postgres-outbox-signals.js';
import { openSqlDatabase } from '../adapters/sql/open-sql-database.js';
import type { SqlDatabase } from '../adapters/sql/sql-database.js';
import { sqlReadStoreModule } from '../adapters/sql/sql-read-store.module.js';
import { sqlWriteModule } from '../adapters/sql/sql-write.module.js';
import type { AppConfig } from '../config/config.js';
import type { Lifetime } from './lifetime.js';

/** What the composition root hands the storage choice. */
export interface StorageContext {
  readonly config: AppConfig;
  readonly container: Container;
  readonly logger: Logger;
  readonly lifetime: Lifetime;
  /** Loads modules and records which adapter serves `what`. */
  readonly load: (what: string, adapter: string, ...modules: ContainerModule[]) => void;
  readonly readiness: ReadinessCheck[];
  /** Whether this process needs other processes' outbox signals (workers, writers waiting for workers). */
  readonly needsSharedSignals: boolean;
  /** An already open (test) database, which its owner closes. */
  readonly database?: SqlDatabase | undefined;
  /** Told of every command sent to the MongoDB read store (tracing on); none → command monitoring stays off. */
  readonly mongoCommands?: MongoCommandObserver | undefined;
}

export interface Storage {
  readonly signals: OutboxSignals;
  /** The read-model generation served (after migrating and preparing it). */
  readonly generation: string;
  /** The write database; null for in-memory storage. */
  readonly database: SqlDatabase | null;
}

/**
 * Binds the write store, the outbox and the read store the configuration names, migrates
 * the write database and prepares the read store. Processes started together on an empty
 * database take turns (`exclusively`).
 */
export async function bindStorage(ctx: StorageContext): Promise<Storage> {
  const { config, container, logger, lifetime, load } = ctx;
  const startup = () => container.get(ReadSideStartup);
  if (config.storage === 'memory') {
    load('storage', 'in-memory (nothing is stored)', memoryModule());
    return { signals: container.get(LocalOutboxSignals), generation: await prepareReadStore(startup(), logger), database: null };
  }
  const db = ctx.database ?? (await openWriteDatabase(config, logger));
  if (!ctx.database) lifetime.defer(() => db.close());
  // One process on the embedded database needs no notifications from others.
  const shared = db.kind === 'pglite' || !ctx.needsSharedSignals ? null : await listen(db.url ?? '', logger);
  if (shared) lifetime.defer(() => shared.close());
  const signals = shared ?? new LocalOutboxSignals();
  load('WriteDatabase', db.kind === 'postgresql' ? 'PostgreSQL' : `PGlite (${config.dataDir}/pglite)`, sqlWriteModule(db, signals));
  if (config.mongoUrl) {
    const timeouts = { serverSelectionMs: config.mongoTimeoutMs, connectMs: config.mongoTimeoutMs, socketMs: config.mongoSocketTimeoutMs };
    // Not required at start: the process serves writes meanwhile (see prepareReadStore).
    const mongo = await createMongoReadOrm(config.mongoUrl, { timeouts, requireServer: false, commands: ctx.mongoCommands });
    lifetime.defer(() => mongo.close(true));
    const stopConnecting = connectInBackground(mongo);
    lifetime.defer(async () => stopConnecting());
    load('ReadStore', 'MongoDB', mongoReadStoreModule(mongo));
  } else {
    load('ReadStore', 'SQL (same database)', sqlReadStoreModule());
  }
  const generation = await db.exclusively('startup', async () => {
    await db.migrate();
    return prepareReadStore(startup(), logger);
  });
  ctx.readiness.push({ name: 'database', critical: true, check: async () => (await db.query('select 1'), 'ok') });
  if (db.kind === 'pglite' && config.embeddedVacuumIntervalS > 0) {
    const every = (seconds: number, work: () => Promise<void>, failure: string) => {
      const timer = setInterval(() => {
        work().catch((error: unknown) => logger.warn({ err: error }, failure));
      }, seconds * 1000);
      timer.unref();
      lifetime.defer(async () => clearInterval(timer));
    };
    every(config.embeddedVacuumIntervalS, () => db.vacuum(), 'embedded database vacuum failed');
    // The queue tables far more often: their dead rows pile up within seconds under writes.
    every(Math.min(QUEUE_VACUUM_INTERVAL_S, config.embeddedVacuumIntervalS), () => db.vacuumQueues(), 'embedded queue vacuum failed');
  }
  return { signals, generation, database: db };
}

/** How often the embedded database vacuums its queue tables (SqlDatabase.vacuumQueues), at most. */
const QUEUE_VACUUM_INTERVAL_S = 5;

/**
 * Prepares the read store; when it cannot be reached the process starts anyway (writes
 * need only the write database), reads answer 503, readiness names the read store, and the
 * projectors' repair loop prepares it once it answers.
 */
async function prepareReadStore(startup: ReadSideStartup, logger: Logger): Promise<string> {
  try {
    return await startup.prepare();
  } catch (error) {
    if (!(error instanceof DependencyUnavailable)) throw error;
    logger.warn({ err: error }, 'read store unavailable at start: serving writes; reads answer 503 until it answers');
    return 'unavailable at start';
  }
}

function openWriteDatabase(config: AppConfig, logger: Logger): Promise<SqlDatabase> {
  return openSqlDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: `${config.dataDir}/pglite`,
    poolSize: config.databasePoolSize,
    embeddedThread: config.embeddedThread,
    log: (message) => logger.info({ component: 'mikro-orm' }, message),
  });
}

async function listen(databaseUrl: string, logger: Logger): Promise<PostgresOutboxSignals> {
  const signals = new PostgresOutboxSignals(databaseUrl, (error) =>
    logger.warn({ err: error }, 'outbox notifications: connection lost, reconnecting'),
  );
  try {
    await signals.start();
  } catch (error) {
    await signals.close();
    throw error;
  }
  return signals;
}
