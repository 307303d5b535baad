import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import type { PasswordHasher } from '../../src/application/users/password-hasher.js';
import { createApplication, type Application } from '../../src/composition/processes.js';
import { loadConfig } from '../../src/config/config.js';
import { deleteNamespace, openTestLink, SHARED_REDIS_URL, uniquePrefix } from '../adapters/redis/redis-test-support.js';
import { TEST_JWT_SECRET } from './app.js';
import { openTestDatabase, type TestSqlDatabase } from './sql.js';

/** Two API processes' compositions, as replicas: `a` and `b`, once the hooks have run. */
export interface TwoReplicas {
  readonly a: Application;
  readonly b: Application;
  /** The database both replicas write to. */
  readonly databaseUrl: string;
}

/**
 * Registers the hooks of a describe block that runs two API processes (PROJECTOR=inline, as
 * replicas) on one fresh PostgreSQL database and the shared Redis, under a key prefix of
 * their own that is deleted afterwards. Needs TEST_DATABASE_URL.
 */
export function twoReplicasOnRedis(name: string, passwordHasher: PasswordHasher): TwoReplicas {
  return twoReplicas(name, passwordHasher, true);
}

/** The same without Redis: no query cache (CACHE=auto on PostgreSQL), every replica alone with the database. */
export function twoReplicasOnPostgres(name: string, passwordHasher: PasswordHasher): TwoReplicas {
  return twoReplicas(name, passwordHasher, false);
}

function twoReplicas(name: string, passwordHasher: PasswordHasher, redis: boolean): TwoReplicas {
  let database: TestSqlDatabase | undefined;
  let a: Application | undefined;
  let b: Application | undefined;
  const prefix = uniquePrefix(name);
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: database.url,
      ...(redis && {
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: prefix,
        // A generous wait: these tests are about coherence, not about outages.
        REDIS_TIMEOUT_MS: '2000',
      }),
    });
    const overrides = { logger: pino({ level: 'silent' }), passwordHasher };
    a = await createApplication(config, overrides);
    b = await createApplication(config, overrides);
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
    if (!redis) return;
    const link = await openTestLink();
    await deleteNamespace(link, prefix);
    await link.close();
  });
  const started = (app: Application | undefined): Application => {
    if (app === undefined) throw new Error('the replicas start in beforeAll');
    return app;
  };
  return {
    get a() {
      return started(a);
    },
    get b() {
      return started(b);
    },
    get databaseUrl() {
      if (database?.url === undefined) throw new Error('the database opens in beforeAll');
      return database.url;
    },
  };
}
