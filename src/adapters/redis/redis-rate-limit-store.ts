import type {
  FastifyRateLimitOptions,
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
  RateLimitPluginOptions,
} from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { RedisLink } from './redis-link.js';

export interface SharedRateLimitOptions {
  readonly link: RedisLink;
  /** Deployment namespace: counters are `<prefix>:rl:<route…><key>`. */
  readonly prefix: string;
  /** Whom a request counts against (e.g. the user when authenticated, else the client address); default: the client address. */
  readonly keyGenerator?: (request: FastifyRequest) => string | number | Promise<string | number>;
}

type Counted = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Counted) => void;

/** What the plugin needs to count in Redis; spread it into the plugin options beside max, timeWindow and hook. */
export type SharedRateLimitPluginOptions = Pick<RateLimitPluginOptions, 'store' | 'skipOnError' | 'keyGenerator'>;

/**
 * Options for @fastify/rate-limit that count in Redis, so that N replicas together allow
 * the configured limit. The store runs on the process's shared RedisLink rather than the
 * ioredis store the plugin ships: one client library and one connection for everything,
 * the same bounded wait on every call, and one outage log line for the whole process.
 * Redis unreachable → the store reports an error at once and `skipOnError` lets the
 * request through (fail open).
 *
 * Fixed windows: a key's window starts with its first request (INCR, then PEXPIRE … NX, in
 * one MULTI; Redis ≥ 7.0) and the counter's remaining PTTL is the reset time.
 */
export function sharedRateLimitOptions(options: SharedRateLimitOptions): SharedRateLimitPluginOptions {
  const { link } = options;
  const root = `${options.prefix}:rl:`;
  class SharedRateLimitStore extends RedisRateLimitStore {
    constructor(params: FastifyRateLimitOptions) {
      refuseUnsupported(params);
      super(link, root);
    }
  }
  const store: FastifyRateLimitStoreCtor = SharedRateLimitStore;
  return options.keyGenerator === undefined
    ? { store, skipOnError: true }
    : { store, skipOnError: true, keyGenerator: options.keyGenerator };
}

const UNAVAILABLE = 'rate-limit store unavailable (Redis unreachable)';

class RedisRateLimitStore implements FastifyRateLimitStore {
  constructor(
    private readonly link: RedisLink,
    private readonly keyPrefix: string,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number, _max: number): void {
    const redisKey = this.keyPrefix + key;
    const windowMs = Math.max(1, Math.trunc(timeWindow));
    void this.link
      .run(async (client) => {
        const [current, , ttl] = (await client
          .multi()
          .incr(redisKey)
          .pExpire(redisKey, windowMs, 'NX')
          .pTTL(redisKey)
          .exec()) as unknown as [number, number, number];
        return { current: Number(current), ttl: Number(ttl) > 0 ? Number(ttl) : windowMs };
      }, null)
      .then((counted) => (counted === null ? callback(new Error(UNAVAILABLE)) : callback(null, counted)));
  }

  /** The count without counting (the plugin's `createRateLimit(…)(req, { increment: false })`). */
  read(key: string, callback: Callback): void {
    const redisKey = this.keyPrefix + key;
    void this.link
      .run(async (client) => {
        const [current, ttl] = (await client.multi().get(redisKey).pTTL(redisKey).exec()) as unknown as [
          string | null,
          number,
        ];
        return current === null ? { current: 0, ttl: 0 } : { current: Number(current), ttl: Math.max(0, Number(ttl)) };
      }, null)
      .then((counted) => (counted === null ? callback(new Error(UNAVAILABLE)) : callback(null, counted)));
  }

  /** A route with its own limit counts apart from the global one. */
  child(routeOptions: object): FastifyRateLimitStore {
    refuseUnsupported(routeOptions);
    const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
    const scope = route?.method !== undefined || route?.url !== undefined ? `${String(route?.method)}:${String(route?.url)}:` : 'custom:';
    return new RedisRateLimitStore(this.link, `${this.keyPrefix}${scope}`);
  }
}

/** The window is fixed: the plugin's window-extending modes would need another script, and nothing here uses them. */
function refuseUnsupported(params: object): void {
  const { continueExceeding, exponentialBackoff } = params as { continueExceeding?: boolean; exponentialBackoff?: boolean };
  if (continueExceeding === true || exponentialBackoff === true)
    throw new Error('the shared rate-limit store supports fixed windows only (no continueExceeding, no exponentialBackoff)');
}
