import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Overrides } from '../../src/container.js';
import { createApplication, type Application } from '../../src/composition/processes.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { openTestMongo } from './mongo.js';
import { openTestDatabase } from './sql.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApp {
  readonly app: Application['http'];
  readonly application: Application;
  close(): Promise<void>;
}

/**
 * Which adapters the whole-application tests (HTTP, handlers) run on, from TEST_STACK:
 * - `memory` (default): in-memory adapters, no I/O;
 * - `pglite`: the embedded default (PGlite writes + SQL read store);
 * - `postgres`: PostgreSQL writes + SQL read store (needs TEST_DATABASE_URL);
 * - `postgres+mongodb`: PostgreSQL writes + MongoDB read store (TEST_DATABASE_URL, and
 *   MONGO_URL or the emulator).
 * CI runs the HTTP and handler tests once more on `postgres+mongodb`.
 */
export type TestStack = 'memory' | 'pglite' | 'postgres' | 'postgres+mongodb';
export const testStack = (): TestStack => (process.env.TEST_STACK as TestStack | undefined) ?? 'memory';

/**
 * The whole application, wired by the real composition root on the TEST_STACK adapters,
 * each test file with its own databases. Silent logs unless LOG_LEVEL is set.
 */
export interface StackEnvironment {
  /** Environment variables that point the application at this stack's fresh databases. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Fresh databases for one test file on the given stack, as environment variables. */
export async function openStackEnvironment(stack: TestStack = testStack()): Promise<StackEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  const env: Record<string, string> = { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, STORAGE: 'memory' };
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    if (stack !== 'memory') {
      env.STORAGE = 'sql';
      if (stack === 'pglite') {
        // PGlite cannot be shared by URL: the application opens its own, in a temp folder.
        const dir = mkdtempSync(join(tmpdir(), 'conduit-app-'));
        env.DATA_DIR = dir;
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      } else {
        const db = await openTestDatabase('postgres');
        env.DATABASE_URL = db.url as string;
        cleanups.push(() => db.close());
      }
      if (stack === 'postgres+mongodb') {
        const mongo = await openTestMongo('app');
        const url = new URL(process.env.MONGO_URL ?? (await mongoUrlOf(mongo)));
        url.pathname = `/${mongo.dbName}`;
        env.MONGO_URL = url.toString();
        cleanups.push(() => mongo.close());
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { env, close };
}

export async function startTestApp(
  config: Partial<AppConfig> = {},
  overrides: Overrides = {},
): Promise<TestApp> {
  const stack = await openStackEnvironment();
  const base = loadConfig(stack.env as NodeJS.ProcessEnv);
  const application = await createApplication(
    { ...base, ...config },
    { logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }), ...overrides },
  ).catch(async (error: unknown) => {
    await stack.close();
    throw error;
  });
  await application.http.ready();
  return {
    app: application.http,
    application,
    close: async () => {
      await application.close();
      await stack.close();
    },
  };
}

/** The server URL a TestMongo connection uses (the emulator picks its own port). */
async function mongoUrlOf(mongo: Awaited<ReturnType<typeof openTestMongo>>): Promise<string> {
  const client = mongo.orm.em.getConnection().getClient() as unknown as { options?: { hosts?: { toString(): string }[] } };
  const host = client.options?.hosts?.[0]?.toString();
  if (!host) throw new Error('cannot tell the MongoDB emulator address');
  return `mongodb://${host}`;
}

/** Registers `username` and publishes an article titled `title` as them, over HTTP: its slug, and their token. */
export async function registerAndPublish(
  http: Application['http'],
  username: string,
  title: string,
  headers: Record<string, string> = {},
): Promise<{ slug: string; token: string }> {
  const user = { username, email: `${username}@example.com`, password: 'password123' };
  const registered = await http.inject({ method: 'POST', url: '/api/users', payload: { user } });
  if (registered.statusCode !== 201) throw new Error(`registering ${username}: ${registered.statusCode} ${registered.body}`);
  const token = registered.json().user.token as string;
  const published = await http.inject({
    method: 'POST',
    url: '/api/articles',
    headers: { ...headers, authorization: `Token ${token}` },
    payload: { article: { title, description: 'd', body: 'b' } },
  });
  if (published.statusCode !== 201) throw new Error(`publishing ${title}: ${published.statusCode} ${published.body}`);
  return { slug: published.json().article.slug as string, token };
}
