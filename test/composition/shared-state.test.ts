import { Container } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectionObserver } from '../../src/application/read-side/projector.js';
import { CacheInvalidation } from '../../src/application/caching/cache-invalidation.js';
import { LoginAttempts } from '../../src/application/users/login-attempts.js';
import type { ReadinessCheck } from '../../src/adapters/http/http-deps.js';
import { InMemoryLoginAttempts } from '../../src/adapters/memory/in-memory-login-attempts.js';
import { observabilityModule } from '../../src/adapters/observability/observability.module.js';
import { RedisLoginAttempts } from '../../src/adapters/redis/redis-login-attempts.js';
import { systemModule } from '../../src/adapters/system/system.module.js';
import { Lifetime } from '../../src/composition/lifetime.js';
import { bindSharedState } from '../../src/composition/shared-state.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { captureLogs } from '../http/support/fake-deps.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../adapters/redis/redis-test-support.js';

/** Which cache, counters and observer the composition picks from the settings. */
const lifetimes: Lifetime[] = [];
afterEach(async () => {
  for (const lifetime of lifetimes.splice(0)) await lifetime.close();
});

async function bind(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const logs = captureLogs('info');
  const container = new Container({ defaultScope: 'Singleton', autobind: true });
  container.load(systemModule(), observabilityModule(logs.logger));
  const lifetime = new Lifetime();
  lifetimes.push(lifetime);
  const bindings: Record<string, string> = {};
  const readiness: ReadinessCheck[] = [];
  const shared = await bindSharedState({ config, container, logger: logs.logger, lifetime, bindings, readiness });
  return {
    shared,
    bindings,
    readiness: readiness.map((check) => check.name),
    observer: container.get<ProjectionObserver>(ProjectionObserver),
    attempts: container.get<LoginAttempts>(LoginAttempts),
    warnings: () => logs.lines().filter((line) => line.level === 40).map((line) => line.msg),
  };
}

const POSTGRES = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused' };

describe('shared state from the settings', () => {
  it('CACHE=auto: process memory where one process serves and projects', async () => {
    for (const env of [{ STORAGE: 'memory' }, {}] as Record<string, string>[]) {
      const bound = await bind(env);
      expect(bound.bindings.Cache).toBe('memory');
      expect(bound.observer).toBeInstanceOf(CacheInvalidation);
      expect(bound.attempts).toBeInstanceOf(InMemoryLoginAttempts);
      expect(bound.readiness).toEqual(['cache']);
      expect(bound.shared.rateLimitStore).toBeUndefined();
    }
  });

  it('CACHE=auto: off on PostgreSQL without Redis, where other processes would not be heard', async () => {
    const bound = await bind(POSTGRES);
    expect(bound.bindings.Cache).toBe('off');
    expect(bound.observer).not.toBeInstanceOf(CacheInvalidation);
    expect(bound.readiness).toEqual([]);
  });

  it('CACHE=on without Redis on PostgreSQL: process memory, with a warning', async () => {
    const bound = await bind({ ...POSTGRES, CACHE: 'on' });
    expect(bound.bindings.Cache).toBe('memory');
    expect(bound.warnings()).toEqual([expect.stringContaining('CACHE=on without REDIS_URL')]);
  });

  it('REDIS_URL: the cache (with its first tier unless CACHE_L1=false), the counters and the rate-limit store in Redis', async () => {
    const redis = { ...POSTGRES, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: uniquePrefix('shared-state') };
    const tiered = await bind(redis);
    expect(tiered.bindings.Cache).toBe('memory+redis');
    expect(tiered.attempts).toBeInstanceOf(RedisLoginAttempts);
    expect(tiered.readiness).toEqual(['redis', 'cache']);
    expect(tiered.shared.rateLimitStore?.skipOnError).toBe(true);
    expect((await bind({ ...redis, CACHE_L1: 'false' })).bindings.Cache).toBe('redis');
    const off = await bind({ ...redis, CACHE: 'off' });
    expect(off.bindings.Cache).toBe('off');
    expect(off.attempts).toBeInstanceOf(RedisLoginAttempts);
  });

  it('refuses CACHE=on for projector workers without Redis: their invalidations would reach no API process', () => {
    expect(() => loadConfig({ ...POSTGRES, PROJECTOR: 'worker', CACHE: 'on' })).toThrow(ConfigError);
    expect(loadConfig({ ...POSTGRES, PROJECTOR: 'worker' }).cache).toBe('auto');
  });

  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      redisTimeoutMs: 50,
      redisPrefix: 'conduit',
      cache: 'auto',
      cacheTtlMs: 60_000,
      cacheL1: true,
      cacheMaxEntries: 10_000,
      cacheMaxBytes: 64 * 1024 * 1024,
      cacheStampTtlMs: 86_400_000,
      httpSharedMaxAgeS: 1,
      loginMaxFailures: 10,
      loginMaxFailuresPerIp: 100,
      loginWindowS: 900,
    });
    expect(config.cacheListTtlMs).toBeUndefined();
    expect(() => loadConfig({ REDIS_URL: 'http://nope' })).toThrow(ConfigError);
  });
});
