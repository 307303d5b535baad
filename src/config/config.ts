import { Ajv } from 'ajv';

/**
 * The whole configuration, from the environment, validated once at start. Every setting
 * has a default except where production must not guess (JWT_SECRET). Each URL switches
 * one adapter; with none set the server runs fully embedded.
 */
export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Embedded database folder (PGlite) and the development JWT secret live here. */
  readonly dataDir: string;
  /** PostgreSQL for the write model and the SQL read store; absent → PGlite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** MongoDB for the read models (documents shaped like the responses); absent → the SQL read store. */
  readonly mongoUrl: string | undefined;
  /** HS256 signing secret; undefined → generated once and kept in dataDir (not in production). */
  readonly jwtSecret: string | undefined;
  readonly jwtTtlSeconds: number;
  readonly bodyLimitBytes: number;
  readonly corsOrigins: readonly string[];
  readonly rateLimitPerMinute: number;
  readonly trustProxy: boolean;
  /** In-memory adapters for every port (tests, demos): nothing is stored. */
  readonly storage: 'sql' | 'memory';
  /** 'inline': each API process projects; 'worker': only `npm run worker` processes do. */
  readonly projector: 'inline' | 'worker';
  /** Longest a write waits for its events to be projected before answering (read-your-writes). */
  readonly readYourWritesTimeoutMs: number;
  readonly projectorBatchSize: number;
  readonly projectorMaxAttempts: number;
  readonly projectorLeaseMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const schema = {
  type: 'object',
  properties: {
    NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    DATA_DIR: { type: 'string', minLength: 1, default: './data' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATABASE_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 200, default: 10 },
    MONGO_URL: { type: 'string', pattern: '^mongodb(\\+srv)?://' },
    JWT_SECRET: { type: 'string', minLength: 32 },
    JWT_TTL: { type: 'string', pattern: '^[0-9]+[smhd]?$', default: '30d' },
    BODY_LIMIT: { type: 'integer', minimum: 1024, maximum: 50 * 1024 * 1024, default: 1024 * 1024 },
    CORS_ORIGINS: { type: 'string', default: '*' },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0, default: 0 },
    TRUST_PROXY: { type: 'boolean', default: false },
    STORAGE: { type: 'string', enum: ['sql', 'memory'], default: 'sql' },
    PROJECTOR: { type: 'string', enum: ['inline', 'worker'], default: 'inline' },
    READ_YOUR_WRITES_TIMEOUT_MS: { type: 'integer', minimum: 0, maximum: 60_000, default: 2000 },
    PROJECTOR_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 5000, default: 200 },
    PROJECTOR_MAX_ATTEMPTS: { type: 'integer', minimum: 1, maximum: 100, default: 8 },
    PROJECTOR_LEASE_MS: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 30_000 },
  },
} as const;

interface RawEnv {
  NODE_ENV: AppConfig['env'];
  PORT: number;
  HOST: string;
  LOG_LEVEL: AppConfig['logLevel'];
  DATA_DIR: string;
  DATABASE_URL?: string;
  DATABASE_POOL_SIZE: number;
  MONGO_URL?: string;
  JWT_SECRET?: string;
  JWT_TTL: string;
  BODY_LIMIT: number;
  CORS_ORIGINS: string;
  RATE_LIMIT_PER_MINUTE: number;
  TRUST_PROXY: boolean;
  STORAGE: AppConfig['storage'];
  PROJECTOR: AppConfig['projector'];
  READ_YOUR_WRITES_TIMEOUT_MS: number;
  PROJECTOR_BATCH_SIZE: number;
  PROJECTOR_MAX_ATTEMPTS: number;
  PROJECTOR_LEASE_MS: number;
}

const validate = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true }).compile<RawEnv>(schema);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

const durationSeconds = (value: string): number => {
  const unit = value.at(-1) ?? 's';
  return /\d/.test(unit) ? Number(value) : Number(value.slice(0, -1)) * (UNIT_SECONDS[unit] ?? 1);
};

/** Reads the configuration from an environment (process.env by default); throws ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(schema.properties);
  // Empty strings count as unset, so `DATABASE_URL=` in a .env file means "embedded".
  const raw: Record<string, unknown> = {};
  for (const key of known) {
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
  if (raw.PROJECTOR === 'worker' && (raw.STORAGE === 'memory' || raw.DATABASE_URL === undefined))
    throw new ConfigError(
      'PROJECTOR=worker needs DATABASE_URL: separate projector processes share the outbox through PostgreSQL (the embedded database is single-process)',
    );
  return {
    env: raw.NODE_ENV,
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    dataDir: raw.DATA_DIR,
    databaseUrl: raw.DATABASE_URL,
    databasePoolSize: raw.DATABASE_POOL_SIZE,
    mongoUrl: raw.MONGO_URL,
    jwtSecret: raw.JWT_SECRET,
    jwtTtlSeconds: durationSeconds(raw.JWT_TTL),
    bodyLimitBytes: raw.BODY_LIMIT,
    corsOrigins: raw.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter((o) => o.length > 0),
    rateLimitPerMinute: raw.RATE_LIMIT_PER_MINUTE,
    trustProxy: raw.TRUST_PROXY,
    storage: raw.STORAGE,
    projector: raw.PROJECTOR,
    readYourWritesTimeoutMs: raw.READ_YOUR_WRITES_TIMEOUT_MS,
    projectorBatchSize: raw.PROJECTOR_BATCH_SIZE,
    projectorMaxAttempts: raw.PROJECTOR_MAX_ATTEMPTS,
    projectorLeaseMs: raw.PROJECTOR_LEASE_MS,
  };
}
