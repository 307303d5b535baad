import type { MikroORM as CoreMikroORM } from '@mikro-orm/core';
import { MikroORM, type MongoDriver, type MongoEntityManager } from '@mikro-orm/mongodb';
import type { MongoClientOptions } from 'mongodb';

/** The MikroORM instance that owns the MongoDB connection of the read store. */
export type MongoOrm = CoreMikroORM<MongoDriver, MongoEntityManager>;
/** The container binds the one opened MongoOrm under this token; the Mongo adapters inject it. */
export const MongoOrmToken = Symbol.for('MongoOrm');

export interface MongoReadOrmOptions {
  /** The database to use; defaults to the one named in the URL, then `conduit`. */
  readonly dbName?: string;
  /** Upper bound of the driver's connection pool (default 10). */
  readonly poolSize?: number;
  /** Passed to the driver as is (TLS files, timeouts, command monitoring in tests). */
  readonly driverOptions?: MongoClientOptions;
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

/**
 * Opens the read-store connection (`MONGO_URL`). MikroORM owns the client, its pool and
 * its lifecycle; the read store registers no entities, because its collections are named
 * per generation at run time (`g2_articles`), which static entity metadata cannot express.
 * The adapters reach the driver's collections through this ORM's connection.
 *
 * Nothing here may rely on transactions: a standalone mongod refuses them, and the
 * writers are designed to be correct without them.
 */
export async function createMongoReadOrm(url: string, options: MongoReadOrmOptions = {}): Promise<MongoOrm> {
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
    ...(options.driverOptions ? { driverOptions: options.driverOptions } : {}),
    logger: () => {},
  });
  // `init` only builds the client; fail here, at start, if the server cannot be reached.
  await pingMongo(orm);
  return orm;
}

/** One round trip to the server (readiness checks); rejects when it cannot be reached. */
export async function pingMongo(orm: MongoOrm): Promise<void> {
  await orm.em.getConnection().getDb().command({ ping: 1 });
}
