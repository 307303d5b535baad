import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { Cache } from '../application/caching/cache.js';
import { CacheInvalidation } from '../application/caching/cache-invalidation.js';
import { ProjectionObserver } from '../application/read-side/projector.js';
import { LoginAttempts } from '../application/users/login-attempts.js';
import { LoginGuardOptions } from '../application/users/login-guard.js';
import type { ReadinessCheck } from '../adapters/http/http-deps.js';
import { createCache } from '../adapters/keyv/create-cache.js';
import { InMemoryLoginAttempts } from '../adapters/memory/in-memory-login-attempts.js';
import { RedisChannel } from '../adapters/redis/redis-channel.js';
import { RedisLink } from '../adapters/redis/redis-link.js';
import type { RedisCommandObserver } from '../adapters/redis/redis-commands.js';
import { RedisLoginAttempts } from '../adapters/redis/redis-login-attempts.js';
import { sharedRateLimitOptions, type SharedRateLimitPluginOptions } from '../adapters/redis/redis-rate-limit-store.js';
import type { AppConfig } from '../config/config.js';
import type { Lifetime } from './lifetime.js';

export interface SharedStateContext {
  readonly config: AppConfig;
  readonly container: Container;
  readonly logger: Logger;
  readonly lifetime: Lifetime;
  /** Which adapter serves each concern (logged at start). */
  readonly bindings: Record<string, string>;
  readonly readiness: ReadinessCheck[];
  /** Told of every command sent to Redis (tracing on); none → nothing watches them. */
  readonly redisCommands?: RedisCommandObserver | undefined;
}

export interface SharedState {
  readonly cache: Cache;
  /** Options that make @fastify/rate-limit count in Redis; undefined → each process counts alone. */
  readonly rateLimitStore: SharedRateLimitPluginOptions | undefined;
}

/**
 * What the processes of a deployment share, when REDIS_URL names a Redis: the query cache,
 * the rate-limit counters and the failed-login counters, over one connection that fails
 * fast and open (src/adapters/redis/redis-link.ts). Without Redis each process keeps its
 * own counters, and a cache only where one process both serves and projects.
 */
export async function bindSharedState(ctx: SharedStateContext): Promise<SharedState> {
  const { config, container, logger, lifetime, readiness } = ctx;
  const link = config.redisUrl
    ? await RedisLink.open({ url: config.redisUrl, logger, timeoutMs: config.redisTimeoutMs })
    : undefined;
  if (link) {
    if (ctx.redisCommands) link.observe(ctx.redisCommands);
    lifetime.defer(() => link.close());
    readiness.push({ name: 'redis', check: async () => link.state() });
  }

  const mode = cacheMode(config, link !== undefined);
  if (config.cache === 'on' && link === undefined && !singleProcess(config))
    logger.warn('CACHE=on without REDIS_URL: a per-process cache is only correct while this is the only process serving this database');
  const cache = createCache({
    mode,
    redis: link,
    l1: config.cacheL1,
    maxEntries: config.cacheMaxEntries,
    maxBytes: config.cacheMaxBytes,
    prefix: config.redisPrefix,
    stampTtlMs: config.cacheStampTtlMs,
    recentStampsMs: config.cacheRecentStampsMs,
    pushedStampsMs: config.cachePushedStampsMs,
    subscribe: link === undefined ? undefined : (channel, listener) => new RedisChannel(link, channel, listener),
  });
  lifetime.defer(() => cache.close());
  container.bind(Cache).toConstantValue(cache);
  if (mode === 'on') {
    container.rebind(ProjectionObserver).toService(CacheInvalidation);
    readiness.push({ name: 'cache', check: async () => (cache.state() === 'degraded' ? 'degraded' : 'ok') });
  }

  container.bind(LoginGuardOptions).toConstantValue({
    maxFailures: config.loginMaxFailures,
    maxFailuresPerAddress: config.loginMaxFailuresPerIp,
    windowS: config.loginWindowS,
  });
  if (link) container.bind(LoginAttempts).toConstantValue(new RedisLoginAttempts({ link, prefix: config.redisPrefix }));
  else container.bind(LoginAttempts).toService(InMemoryLoginAttempts);

  ctx.bindings.Cache = mode === 'off' ? 'off' : cache.kind;
  ctx.bindings['RateLimits, LoginAttempts'] = link ? 'Redis (shared by every process)' : 'process memory';
  return { cache, rateLimitStore: link ? sharedRateLimitOptions({ link, prefix: config.redisPrefix }) : undefined };
}

/** One process serves and projects: the embedded database (its lock keeps others out) or memory storage. */
const singleProcess = (config: AppConfig): boolean => config.storage === 'memory' || config.databaseUrl === undefined;

function cacheMode(config: AppConfig, shared: boolean): 'on' | 'off' {
  if (config.cache === 'off') return 'off';
  if (config.cache === 'on' || shared) return 'on';
  return singleProcess(config) ? 'on' : 'off';
}
