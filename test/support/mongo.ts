import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Container } from 'inversify';
import { mongoReadStoreModule } from '../../src/adapters/mongodb/mongodb.module.js';
import {
  anyCollection,
  MongoReadDatabase,
  READ_ROLES,
} from '../../src/adapters/mongodb/mongo-read-database.js';
import {
  createMongoReadOrm,
  type MongoOrm,
  type MongoReadOrmOptions,
} from '../../src/adapters/mongodb/mongo-read-orm.js';
import { META_COLLECTION } from '../../src/adapters/mongodb/read-model.documents.js';
import { ActiveGeneration } from '../../src/application/read-side/active-generation.js';
import { ArticleReadStore } from '../../src/application/read-side/article.read-store.js';
import { CommentReadStore } from '../../src/application/read-side/comment.read-store.js';
import { ReadModelGenerations } from '../../src/application/read-side/read-model-generations.js';
import { ReadModelWriter } from '../../src/application/read-side/read-model.writer.js';
import { RelationshipReadStore } from '../../src/application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../src/application/read-side/user.read-store.js';
import { FixtureWriter, type ReadStores } from '../contract/read-store/read-store.fixtures.js';

/**
 * MongoDB for tests. With MONGO_URL set (a real server: docker-compose, a CI service) the
 * tests use it; otherwise each test file starts the MongoDB-wire-compatible emulator from
 * `@jongodb/memory-server-bin-linux-x64-gnu` on a free 127.0.0.1 port and stops it after.
 *
 * Each test file works in a database of its own, whose name says it is for tests and is
 * random, so files never see each other's data and a real server's other databases are
 * never touched. The database is dropped at the end where the server can (the emulator has
 * no dropDatabase; its data dies with the process).
 */
export type MongoSource = 'MONGO_URL' | 'emulator';

export const mongoSource = (): MongoSource => (process.env.MONGO_URL ? 'MONGO_URL' : 'emulator');

export interface TestMongo {
  readonly source: MongoSource;
  readonly dbName: string;
  /** The first connection, opened by openTestMongo. */
  readonly orm: MongoOrm;
  /** Another connection (own client, own pool) to the same database: to the server, a second process. */
  connect(options?: Omit<MongoReadOrmOptions, 'dbName'>): Promise<MongoOrm>;
  close(): Promise<void>;
}

const EMULATOR_START_TIMEOUT_MS = 20_000;

/** An emulator process of a test's own. */
export interface EmulatorProcess {
  readonly url: string;
  readonly port: number;
  /** Kills it with `signal` (SIGKILL: an outage) and waits until it is gone. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function emulatorBinary(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
  return join(dirname(manifest), 'bin', 'jongodb');
}

/**
 * Starts the emulator on `port`, or, with port 0 (the default), on a free port it binds
 * and reports itself, so parallel test files cannot race for one. Its data lives in memory:
 * one started again on the same port is a MongoDB restarted empty.
 */
export async function startEmulator(port = 0): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(emulatorBinary(), ['--host=127.0.0.1', `--port=${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the MongoDB emulator did not start within ${EMULATOR_START_TIMEOUT_MS} ms:\n${output}`));
    }, EMULATOR_START_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /JONGODB_URI=(\S+)/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout?.on('data', collect);
    // Kept only for the error message; the emulator logs every closed client connection here.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the MongoDB emulator exited with code ${code}:\n${output}`));
    });
  });
  const bound = Number(/:(\d+)\//.exec(url)?.[1]);
  return {
    url,
    port: bound,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const isCommandNotFound = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 59;

/** Opens a fresh database for one test file; `label` names it (letters, digits, `_`). */
export async function openTestMongo(
  label: string,
  options: Omit<MongoReadOrmOptions, 'dbName'> = {},
): Promise<TestMongo> {
  const fromEnv = process.env.MONGO_URL;
  const server = fromEnv ? { url: fromEnv, stop: async () => {} } : await startEmulator();
  const dbName = `conduit_test_${label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const opened: MongoOrm[] = [];
  const connect = async (extra: Omit<MongoReadOrmOptions, 'dbName'> = {}): Promise<MongoOrm> => {
    const orm = await createMongoReadOrm(server.url, { ...extra, dbName, poolSize: extra.poolSize ?? 20 });
    opened.push(orm);
    return orm;
  };
  let orm: MongoOrm;
  try {
    orm = await connect(options);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    source: mongoSource(),
    dbName,
    orm,
    connect,
    close: async () => {
      try {
        await orm.em.getConnection().getDb().dropDatabase();
      } catch (error) {
        if (!isCommandNotFound(error)) throw error;
      } finally {
        for (const each of opened) await each.close(true);
        await server.stop();
      }
    },
  };
}

/** The whole MongoDB read side of one process, built from the module the application loads. */
export interface MongoReadSide extends ReadStores {
  readonly container: Container;
  readonly db: MongoReadDatabase;
  readonly generations: ReadModelGenerations;
  readonly active: ActiveGeneration;
  /** The ReadModelWriter port itself (`writer` wraps it for the fixtures). */
  readonly port: ReadModelWriter;
}

export function mongoReadSide(orm: MongoOrm): MongoReadSide {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(mongoReadStoreModule(orm));
  const port = container.get<ReadModelWriter>(ReadModelWriter);
  return {
    container,
    db: container.get(MongoReadDatabase),
    generations: container.get<ReadModelGenerations>(ReadModelGenerations),
    active: container.get(ActiveGeneration),
    port,
    writer: new FixtureWriter(port),
    users: container.get<UserReadStore>(UserReadStore),
    articles: container.get<ArticleReadStore>(ArticleReadStore),
    comments: container.get<CommentReadStore>(CommentReadStore),
    relationships: container.get<RelationshipReadStore>(RelationshipReadStore),
  };
}

/**
 * Empties every collection of `generation`, its marker included: what a MongoDB that lost
 * the generation's data looks like (the emulator has no `drop`, so deletes stand in for it).
 */
export async function loseGenerationData(db: MongoReadDatabase, generation: string): Promise<void> {
  const c = db.collections(generation);
  await Promise.all(READ_ROLES.map((role) => anyCollection(c, role).deleteMany({})));
}

/** Makes the database look like one no read store ever used: no generation, no pointer. */
export async function forgetEveryGeneration(db: MongoReadDatabase): Promise<void> {
  const meta = db.db().collection<{ _id: string; kind?: string; name?: string }>(META_COLLECTION);
  const registered = await meta.find({ kind: { $eq: 'generation' } }).toArray();
  for (const { name } of registered) if (name) await loseGenerationData(db, name);
  await meta.deleteMany({});
}
