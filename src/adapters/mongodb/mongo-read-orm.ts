import type { MikroORM as CoreMikroORM } from '@mikro-orm/core';
import { MikroORM, type MongoDriver, type MongoEntityManager } from '@mikro-orm/mongodb';
import type { MongoClientOptions } from 'mongodb';
import { watchCommands, type MongoCommandObserver } from './mongo-commands.js';
import { translatingOutages } from './mongo-outage.js';

/** The MikroORM instance that owns the MongoDB connection of the read store. */
export type MongoOrm = CoreMikroORM<MongoDriver, MongoEntityManager>;
/** The container binds the one opened MongoOrm under this token; the Mongo adapters inject it. */
export const MongoOrmToken = Symbol.for('MongoOrm');

/**
 * How long the read store waits before it reports MongoDB unavailable. Bounded so that an
 * outage answers 503 within about two seconds instead of hanging requests and projectors
 * (the driver's own defaults are 30 s for server selection and no socket timeout at all).
 * A server that is down is noticed at once (connections are refused) or within
 * `serverSelectionMs`; one that accepts but stops answering within `socketMs`, twice over
 * when the driver retries the read or write once, as it does after a network error.
 */
export interface MongoTimeouts {
  /** Longest wait for a usable server before an operation fails (driver `serverSelectionTimeoutMS`). */
  readonly serverSelectionMs: number;
  /** Longest wait for a new connection's TCP and TLS handshake (driver `connectTimeoutMS`). */
  readonly connectMs: number;
  /**
   * Longest wait for a reply on an established connection (driver `socketTimeoutMS`):
   * bounds a server that accepts connections but stopped answering. Above every read-store
   * operation's normal duration, which are single-document writes and indexed pages.
   */
  readonly socketMs: number;
}

const DEFAULT_MONGO_TIMEOUTS: MongoTimeouts = { serverSelectionMs: 2_000, connectMs: 2_000, socketMs: 5_000 };

export interface MongoReadOrmOptions {
  /** The database to use; defaults to the one named in the URL, then `conduit`. */
  readonly dbName?: string;
  /** Upper bound of the driver's connection pool (default 10). */
  readonly poolSize?: number;
  /** Defaults: DEFAULT_MONGO_TIMEOUTS. */
  readonly timeouts?: Partial<MongoTimeouts>;
  /** Passed to the driver as is, over the timeouts (TLS files, command monitoring in tests). */
  readonly driverOptions?: MongoClientOptions;
  /**
   * Whether opening fails when the server cannot be reached now (default true). False
   * for processes that serve without the read store for a while (the API's writes); the
   * driver connects when the server answers.
   */
  readonly requireServer?: boolean;
  /**
   * Told of every command the client sends (tracing). Only with one is the driver's
   * command monitoring switched on: without, the driver builds no command events at all.
   */
  readonly commands?: MongoCommandObserver | undefined;
}

const DEFAULT_DB_NAME = 'conduit';

/**
 * The database named in a `mongodb://` or `mongodb+srv://` URL, if any. Parsed by hand
 * because seed lists (`host1,host2`) are not valid WHATWG URLs.
 */
export const databaseInUrl = (url: string): string | undefined => {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]+)/.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : '';
  return name === '' ? undefined : name;
};

const checkedTimeouts = (given: Partial<MongoTimeouts> = {}): MongoTimeouts => {
  const timeouts = { ...DEFAULT_MONGO_TIMEOUTS, ...given };
  for (const [name, value] of Object.entries(timeouts))
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(
        `mongo read store: timeout ${name} must be a whole number of milliseconds ≥ 1, got ${value}`,
      );
  return timeouts;
};

/**
 * Opens the read-store connection (`MONGO_URL`). MikroORM owns the client, its pool and
 * its lifecycle; the read store registers no entities, because its collections are named
 * per generation at run time (`g2_articles`), which static entity metadata cannot express.
 * The adapters reach the driver's collections through this ORM's connection.
 *
 * Nothing here may rely on transactions: a standalone mongod refuses them, and the
 * writers are designed to be correct without them. Rejects with DependencyUnavailable when
 * the server cannot be reached within the timeouts.
 */
export async function createMongoReadOrm(url: string, options: MongoReadOrmOptions = {}): Promise<MongoOrm> {
  const timeouts = checkedTimeouts(options.timeouts);
  const orm = await MikroORM.init({
    clientUrl: url,
    dbName: options.dbName ?? databaseInUrl(url) ?? DEFAULT_DB_NAME,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    ensureIndexes: false,
    debug: false,
    colors: false,
    pool: { min: 0, max: options.poolSize ?? 10 },
    driverOptions: {
      serverSelectionTimeoutMS: timeouts.serverSelectionMs,
      connectTimeoutMS: timeouts.connectMs,
      socketTimeoutMS: timeouts.socketMs,
      ...options.driverOptions,
      ...(options.commands && { monitorCommands: true }),
    },
    logger: () => {},
  });
  if (options.commands) watchCommands(orm.em.getConnection().getClient(), options.commands);
  // `init` only builds the client; fail here, at start, if the server cannot be reached.
  if (options.requireServer === false) return orm;
  try {
    await pingMongo(orm);
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}

/**
 * For an ORM opened with `requireServer: false`: connects its client now and, while the
 * server cannot be reached, again every `retryMs`, until it answers. Needed because the
 * driver gives up for good when the first operation's implicit connect fails (every later
 * operation answers "topology is closed" even after the server is back); once connected,
 * the driver itself rides out later outages. Answers a stop function (call it before
 * closing the ORM).
 */
export function connectInBackground(orm: MongoOrm, retryMs = 1_000): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async () => {
    try {
      await orm.em.getConnection().getClient().connect();
    } catch {
      if (stopped) return;
      timer = setTimeout(() => void attempt(), retryMs);
      timer.unref();
    }
  };
  void attempt();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** One round trip to the server (readiness checks); rejects with DependencyUnavailable when it cannot be reached. */
function pingMongo(orm: MongoOrm): Promise<void> {
  return translatingOutages(async () => {
    await orm.em.getConnection().getDb().command({ ping: 1 });
  });
}
