import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  createMongoReadOrm,
  type MongoOrm,
  type MongoReadOrmOptions,
} from '../../src/adapters/mongodb/mongo-read-orm.js';

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

interface MongoServer {
  readonly url: string;
  readonly source: MongoSource;
  stop(): Promise<void>;
}

function emulatorBinary(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
  return join(dirname(manifest), 'bin', 'jongodb');
}

async function startEmulator(): Promise<MongoServer> {
  // Port 0: the emulator binds a free port itself and reports it, so parallel test files
  // cannot race for one.
  const child: ChildProcess = spawn(emulatorBinary(), ['--host=127.0.0.1', '--port=0'], {
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
  return {
    url,
    source: 'emulator',
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
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
  const server: MongoServer = fromEnv
    ? { url: fromEnv, source: 'MONGO_URL', stop: async () => {} }
    : await startEmulator();
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
    source: server.source,
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
