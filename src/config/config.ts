import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';

/**
 * Every setting, declared once: its environment variable, type, bounds and default. The
 * TypeScript type of the configuration, its defaults and its validation all follow from
 * this schema; the README's settings table is the user-facing copy. Nothing is required to
 * start: each URL switches one adapter, and with none set the server runs fully embedded.
 */
const settings = {
  NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development' },
  PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
  HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
  LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
  /** Embedded database folder (PGlite) and the development JWT secret live here. */
  DATA_DIR: { type: 'string', minLength: 1, default: './data' },
  /** PostgreSQL for the write model and the SQL read store; absent → PGlite in DATA_DIR. */
  DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
  DATABASE_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 200, default: 10 },
  /** How often the embedded database reclaims dead rows (it has no autovacuum; its queue tables every 5 s, or this if shorter); 0 never. */
  EMBEDDED_VACUUM_INTERVAL_S: { type: 'integer', minimum: 0, maximum: 86_400, default: 300 },
  /** Where the embedded database runs: `worker`, a thread of its own beside the HTTP work; `main`, the server's thread. */
  EMBEDDED_THREAD: { type: 'string', enum: ['worker', 'main'], default: 'worker' },
  /** MongoDB for the read models; absent → the SQL read store. */
  MONGO_URL: { type: 'string', pattern: '^mongodb(\\+srv)?://' },
  /** Longest a MongoDB operation may wait for a server or an answer before it fails (503). */
  MONGO_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 60_000, default: 2_000 },
  /** Longest wait for a MongoDB reply on an open connection. */
  MONGO_SOCKET_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600_000, default: 5_000 },
  /** HS256 signing secret; absent → generated once and kept in DATA_DIR (not in production). */
  JWT_SECRET: { type: 'string', minLength: 32 },
  JWT_TTL: { type: 'string', pattern: '^[0-9]+[smhd]?$', default: '30d' },
  BODY_LIMIT: { type: 'integer', minimum: 1024, maximum: 50 * 1024 * 1024, default: 1024 * 1024 },
  CORS_ORIGINS: { type: 'string', default: '*' },
  RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0, default: 0 },
  TRUST_PROXY: { type: 'boolean', default: false },
  /** `memory` binds in-memory adapters to every port (tests, demos): nothing is stored. */
  STORAGE: { type: 'string', enum: ['sql', 'memory'], default: 'sql' },
  /** `inline`: each API process projects its own writes; `worker`: only `npm run worker` processes do. */
  PROJECTOR: { type: 'string', enum: ['inline', 'worker'], default: 'inline' },
  /** Longest a write waits for worker processes to project its events before answering. */
  READ_YOUR_WRITES_TIMEOUT_MS: { type: 'integer', minimum: 0, maximum: 60_000, default: 2_000 },
  PROJECTOR_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 5000, default: 200 },
  PROJECTOR_MAX_ATTEMPTS: { type: 'integer', minimum: 1, maximum: 100, default: 8 },
  /** How long a claimed event stays leased without renewal: a dead projector's events are taken over after it. */
  PROJECTOR_LEASE_MS: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 5_000 },

  // Cache, shared limits and the login guard (docs/adr/012-query-cache-stamps-and-read-through.md).
  /** Redis for the query cache, rate limits and login attempts, shared by every process; absent → process memory. */
  REDIS_URL: { type: 'string', pattern: '^rediss?://' },
  /** Longest wait for one Redis call before it counts as an outage: the cache is bypassed, limits fail open. */
  REDIS_TIMEOUT_MS: { type: 'integer', minimum: 1, maximum: 10_000, default: 50 },
  /** Namespace of every Redis key of this deployment (`<prefix>:cache:…`, `:rl:`, `:login:`), so deployments can share a Redis. */
  REDIS_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'conduit' },
  /**
   * The query cache. `auto`: in Redis with REDIS_URL; in process memory when one process
   * serves and projects (the embedded database, STORAGE=memory); otherwise off, since a
   * per-process cache would not hear the other processes' writes. `on` also uses process
   * memory on PostgreSQL without Redis (one process only). `off`: none.
   */
  CACHE: { type: 'string', enum: ['auto', 'on', 'off'], default: 'auto' },
  /** Longest life of a cached article, profile or comment list (stamps invalidate it at once on a change). */
  CACHE_TTL_MS: { type: 'integer', minimum: 1, maximum: 86_400_000, default: 60_000 },
  /** Longest life of a cached list page or tag list; absent → CACHE_TTL_MS. */
  CACHE_LIST_TTL_MS: { type: 'integer', minimum: 1, maximum: 86_400_000 },
  /** With Redis: keep entries in a bounded in-process first tier too (stamps are always read from Redis). */
  CACHE_L1: { type: 'boolean', default: true },
  /** Most entries kept in process memory (the memory cache, or the first tier). */
  CACHE_MAX_ENTRIES: { type: 'integer', minimum: 1, maximum: 10_000_000, default: 10_000 },
  /** Most bytes kept in process memory (keys and serialised values). */
  CACHE_MAX_BYTES: { type: 'integer', minimum: 1024, maximum: 16 * 1024 * 1024 * 1024, default: 64 * 1024 * 1024 },
  /** Life of a tag's stamp that nobody bumps; an expired stamp is recreated, which only costs misses. */
  CACHE_STAMP_TTL_MS: { type: 'integer', minimum: 1000, maximum: 30 * 86_400_000, default: 86_400_000 },
  /**
   * With Redis: how long an anonymous read may be answered from invalidation stamps this
   * process read from Redis (or bumped itself), so that a hit costs no round trip; a write
   * through another replica reaches anonymous readers within this window. Signed-in readers
   * (who may be the writer) always check Redis. 0 (the default): every read checks Redis,
   * so anonymous readers see a write at once on every replica, as the production shape's
   * cross-replica checks require; a deployment that accepts up to this lag sets it (ADR 015).
   */
  CACHE_RECENT_STAMPS_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 0 },
  /**
   * With Redis: every bump of an invalidation stamp is also published on a Redis channel
   * every process subscribes to. While its subscription stands, a process answers
   * anonymous reads from copies of stamps it read, forgotten as each bump's message
   * arrives (before the write it belongs to is answered), and kept at most this long in
   * case a message is lost; while it does not stand, CACHE_RECENT_STAMPS_MS applies.
   * 0: no channel (ADR 019).
   */
  CACHE_PUSHED_STAMPS_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 1000 },
  /** Most cached answers kept decoded in process memory, with their anonymous answer's bytes; 0: none. */
  CACHE_DECODED_ENTRIES: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 2000 },
  /**
   * Users' credential states an API process on PostgreSQL remembers while no query cache
   * is on, forgotten when the write model announces a change (ADR 014); 0: every
   * authenticated request reads the write model.
   */
  CREDENTIAL_MEMO_ENTRIES: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 10_000 },
  /** `s-maxage` of anonymous GET answers (how long a CDN may keep them); 0: shared caches must revalidate. */
  HTTP_SHARED_MAX_AGE_S: { type: 'integer', minimum: 0, maximum: 86_400, default: 1 },
  /** Failed logins of one account within LOGIN_WINDOW_S before its logins get 429; 0 turns the guard off. */
  LOGIN_MAX_FAILURES: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 10 },
  /** Failed logins from one client address within LOGIN_WINDOW_S before its logins get 429 (an address may be many people); 0: not counted. */
  LOGIN_MAX_FAILURES_PER_IP: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 100 },
  /** The login guard's window, in seconds, from a key's first failure. */
  LOGIN_WINDOW_S: { type: 'integer', minimum: 1, maximum: 86_400, default: 900 },

  // Metrics and traces (docs/operations.md, docs/adr/013-metrics-and-tracing.md).
  /** Prometheus metrics (`GET /metrics`); `off`: no registry, nothing counted. */
  METRICS: { type: 'string', enum: ['on', 'off'], default: 'on' },
  /** Serve /metrics on this port of its own (then not on PORT); the worker's only listener. Absent: the API serves it on PORT, the worker not at all. */
  METRICS_PORT: { type: 'integer', minimum: 0, maximum: 65535 },
  /** OTLP collector (e.g. http://127.0.0.1:4318): traces are exported there; absent → no tracing, no SDK loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string', pattern: '^https?://' },
  /** The OTLP protocol: only `http/protobuf` (the default) is supported. */
  OTEL_EXPORTER_OTLP_PROTOCOL: { type: 'string', enum: ['http/protobuf'] },
  /** `true` turns tracing off even with an endpoint (the standard OpenTelemetry switch). */
  OTEL_SDK_DISABLED: { type: 'boolean', default: false },
  // Integration events, the relay and the notifier (docs/adr/010-integration-events-and-brokers.md).
  /** NATS JetStream for integration events (`nats://…`); with AMQP_URL unset too → an in-process bus (embedded default). */
  NATS_URL: { type: 'string', pattern: '^nats://' },
  /** RabbitMQ for integration events (`amqp://…`, `amqps://…`); set at most one of NATS_URL and AMQP_URL. */
  AMQP_URL: { type: 'string', pattern: '^amqps?://' },
  /** Prefix of the broker's stream, subject, exchange and queue names, so deployments can share a broker. */
  BUS_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_-]{0,32}$', default: '' },
  /**
   * Who publishes the outbox to the broker. `auto`: `npm run relay` processes when a broker
   * is configured; without one, each API process relays into its own in-process bus and
   * runs the notifier itself. `worker`: the projector workers (`npm run worker`) relay too.
   */
  RELAY: { type: 'string', enum: ['auto', 'worker'], default: 'auto' },
  RELAY_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 5000, default: 200 },
  /** How long a relay's claimed events stay leased without renewal: a killed relay's events are taken over after it. */
  RELAY_LEASE_MS: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 10_000 },
  /** Longest pause between two publish attempts while the broker refuses (doubling from 250 ms). */
  RELAY_MAX_BACKOFF_MS: { type: 'integer', minimum: 250, maximum: 600_000, default: 30_000 },
  /** How often a relay logs its lag (the age of the oldest event not yet published). */
  RELAY_LAG_LOG_INTERVAL_MS: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 30_000 },
  /** Deliveries of one event the notifier attempts before it is dead-lettered. */
  NOTIFIER_MAX_DELIVERIES: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
  /** Events one notifier process handles at once. */
  NOTIFIER_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 64, default: 4 },
  /** Delay before the notifier's second delivery of a failing event (doubling, up to 30 s). */
  NOTIFIER_RETRY_DELAY_MS: { type: 'integer', minimum: 0, maximum: 60_000, default: 1_000 },
  /** How long one event may take the notifier (a large fan-out included) before it is delivered again, also after a notifier was killed. */
  NOTIFIER_ACK_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 60_000 },
  /** How long the notifier remembers a handled message id (its inbox); older ids are pruned hourly. */
  NOTIFIER_INBOX_RETENTION_DAYS: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
  /** Followers notified per statement when an article is published (one transaction per event). */
  NOTIFIER_FANOUT_BATCH: { type: 'integer', minimum: 1, maximum: 100_000, default: 5_000 },
  /** How long a write's `Idempotency-Key` and its answer are kept: a second use within it gets the first answer (docs/api.md). */
  IDEMPOTENCY_TTL_S: { type: 'integer', minimum: 60, maximum: 7 * 86_400, default: 86_400 },
  /** How long a request waits for another one holding its `Idempotency-Key` before answering 409. */
  IDEMPOTENCY_WAIT_MS: { type: 'integer', minimum: 0, maximum: 60_000, default: 10_000 },
  // Shutdown, overload and logs (docs/operations.md, "Shutdown" and "Overload").
  /** After SIGTERM: how long readiness answers 503 while requests are still served, so load balancers stop sending. */
  SHUTDOWN_DRAIN_MS: { type: 'integer', minimum: 0, maximum: 600_000, default: 5_000 },
  /** After the drain: how long requests in flight (and a worker's batch) may take before their connections are cut. */
  SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600_000, default: 10_000 },
  /**
   * Event-loop delay beyond which requests are shed with 503 and Retry-After; 0: not checked.
   * Off by default (a development machine or a CI runner starved of CPU would shed); the
   * deployments (docker-compose.yml, deploy/k8s) turn it on.
   */
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: { type: 'integer', minimum: 0, maximum: 600_000, default: 0 },
  /** Heap in use beyond which requests are shed with 503 and Retry-After; 0: not checked. */
  OVERLOAD_MAX_HEAP_BYTES: { type: 'integer', minimum: 0, default: 0 },
  /** `pretty` when stdout is a terminal and pino-pretty is installed (development), else `json`; or either, forced. */
  LOG_FORMAT: { type: 'string', enum: ['auto', 'json', 'pretty'], default: 'auto' },
  /** Share of successful requests that get a request log line (errors, 4xx and 5xx, are always logged); 1: every request. */
  LOG_REQUEST_SAMPLE_RATE: { type: 'number', minimum: 0, maximum: 1, default: 1 },
  // Security (docs/security.md).
  /** The JWT secret before the last rotation: its tokens still verify, nothing new is signed with it. Remove it JWT_TTL after the rotation. */
  JWT_SECRET_PREVIOUS: { type: 'string', minLength: 32 },
  /** PEM certificate (with its chain) and unencrypted key: both set → the server speaks HTTPS itself and sends HSTS. */
  TLS_CERT_FILE: { type: 'string', minLength: 1 },
  TLS_KEY_FILE: { type: 'string', minLength: 1 },
  /** OpenID provider whose access tokens are accepted as `Bearer` (exactly as its discovery document spells it); https, or http to a loopback address. Absent → own tokens only. */
  OIDC_ISSUER: { type: 'string', minLength: 1 },
  /** Comma-separated `aud` values the provider's tokens must name (this API's identifier there); required with OIDC_ISSUER. */
  OIDC_AUDIENCE: { type: 'string', minLength: 1 },
  /** Comma-separated asymmetric algorithms accepted from the provider; absent → RS256, PS256, ES256, EdDSA. */
  OIDC_ALGORITHMS: { type: 'string', minLength: 1 },
  /** Dotted path of a claim listing roles (e.g. realm_access.roles): with it the provider decides the role, the entry `admin` makes an admin. */
  OIDC_ROLES_CLAIM: { type: 'string', minLength: 1 },
} as const;

const schema = { type: 'object', properties: settings, additionalProperties: false } as const;

/** The environment as validated: every setting with a default is present. */
type Environment = FromSchema<typeof schema> & {
  [K in keyof typeof settings as (typeof settings)[K] extends { default: unknown } ? K : never]-?: FromSchema<
    (typeof settings)[K]
  >;
};

/** `SNAKE_CASE` → `camelCase`, at the type level. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<Camel<Tail>>}` : Lowercase<S>;

type Settings = { readonly [K in keyof Environment as Camel<K & string>]: Environment[K] };

/** The configuration: every setting by its camel-cased name, plus the values derived from them. */
export type AppConfig = Omit<Settings, 'jwtTtl' | 'corsOrigins' | 'nodeEnv'> & {
  readonly env: Environment['NODE_ENV'];
  readonly jwtTtlSeconds: number;
  readonly corsOrigins: readonly string[];
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const validate = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true }).compile<Environment>(schema);

const camel = (name: string): string => name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** An origin as browsers send it: scheme, host and optional port, nothing after. */
const CORS_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

const durationSeconds = (value: string): number => {
  const unit = value.at(-1) ?? 's';
  return /\d/.test(unit) ? Number(value) : Number(value.slice(0, -1)) * (UNIT_SECONDS[unit] ?? 1);
};

/** Reads the configuration from an environment (process.env by default); throws ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Only the settings are read, and empty strings count as unset (`DATABASE_URL=` in a .env file means "embedded").
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath.replace(/^\//, '') || 'environment'} ${e.message ?? 'is invalid'}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  if (raw.NODE_ENV === 'production' && raw.JWT_SECRET === undefined)
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production (at least 32 characters)');
  if (raw.JWT_SECRET_PREVIOUS !== undefined && raw.JWT_SECRET === undefined)
    throw new ConfigError('JWT_SECRET_PREVIOUS needs JWT_SECRET: it is the secret a rotation replaced');
  if (raw.JWT_SECRET_PREVIOUS !== undefined && raw.JWT_SECRET_PREVIOUS === raw.JWT_SECRET)
    throw new ConfigError('JWT_SECRET_PREVIOUS must differ from JWT_SECRET');
  if ((raw.MONGO_SOCKET_TIMEOUT_MS as number) < (raw.MONGO_TIMEOUT_MS as number))
    throw new ConfigError('MONGO_SOCKET_TIMEOUT_MS must be at least MONGO_TIMEOUT_MS');
  if (raw.CACHE === 'on' && raw.REDIS_URL === undefined && raw.PROJECTOR === 'worker')
    throw new ConfigError(
      'CACHE=on with PROJECTOR=worker needs REDIS_URL: the workers invalidate the cache, and a per-process cache would never hear them',
    );
  if (raw.PROJECTOR === 'worker' && (raw.STORAGE === 'memory' || raw.DATABASE_URL === undefined))
    throw new ConfigError(
      'PROJECTOR=worker needs DATABASE_URL: separate projector processes share the outbox through PostgreSQL (the embedded database is single-process)',
    );
  if (raw.METRICS_PORT !== undefined && raw.METRICS_PORT !== 0 && raw.METRICS_PORT === raw.PORT)
    throw new ConfigError('METRICS_PORT must differ from PORT (leave it unset to serve /metrics on PORT)');
  if (raw.NATS_URL !== undefined && raw.AMQP_URL !== undefined)
    throw new ConfigError('set at most one of NATS_URL and AMQP_URL: integration events go to one broker');
  if (raw.RELAY === 'worker' && raw.NATS_URL === undefined && raw.AMQP_URL === undefined)
    throw new ConfigError('RELAY=worker needs NATS_URL or AMQP_URL: without a broker each API process relays into its own bus');
  if (raw.OIDC_ISSUER === undefined && (raw.OIDC_AUDIENCE ?? raw.OIDC_ALGORITHMS ?? raw.OIDC_ROLES_CLAIM) !== undefined)
    throw new ConfigError('OIDC_AUDIENCE, OIDC_ALGORITHMS and OIDC_ROLES_CLAIM need OIDC_ISSUER');
  if (raw.OIDC_ISSUER !== undefined && raw.OIDC_AUDIENCE === undefined)
    throw new ConfigError('OIDC_AUDIENCE is required when OIDC_ISSUER is set (the API identifier the provider puts in aud)');
  const origins = String(raw.CORS_ORIGINS ?? '*').split(',').map((origin) => origin.trim()).filter((o) => o.length > 0);
  const badOrigin = origins.find((origin) => origin !== '*' && !CORS_ORIGIN.test(origin));
  if (badOrigin !== undefined)
    throw new ConfigError(`CORS_ORIGINS must list origins such as https://app.example (scheme, host, optional port), or be *; got ${badOrigin}`);
  if (origins.includes('*') && origins.length > 1) throw new ConfigError('CORS_ORIGINS is either * alone or a list of origins');
  const named = Object.fromEntries(Object.entries(raw).map(([key, value]) => [camel(key), value])) as Settings;
  const { nodeEnv, jwtTtl, corsOrigins, ...rest } = named;
  return {
    ...rest,
    env: nodeEnv,
    jwtTtlSeconds: durationSeconds(jwtTtl),
    corsOrigins: corsOrigins
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
  };
}
