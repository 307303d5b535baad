import type { Cache } from '../application/caching/cache.js';
import type { UseCaseWrapper } from '../application/use-cases.js';
import type { FastifyInstance } from 'fastify';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OpenTelemetryTracing } from '../adapters/opentelemetry/otel-tracing.js';
import type { PrometheusMetrics } from '../adapters/prometheus/prometheus-metrics.js';
import type { MongoCommandObserver } from '../adapters/mongodb/mongo-commands.js';
import type { RedisCommandObserver } from '../adapters/redis/redis-commands.js';
import type { StatementObserver } from '../adapters/sql/sql-database.js';
import type { AppConfig } from '../config/config.js';

/** Tracing and the seams it spans, built only when tracing is on. */
export interface TracingSeams {
  readonly tracing: OpenTelemetryTracing;
  readonly http: (app: FastifyInstance) => void;
  readonly useCases: UseCaseWrapper;
  cache(cache: Cache): Cache;
  /** SqlDatabase.observe: its statements and the ORM's own. */
  statements(system: 'postgresql' | 'pglite'): StatementObserver;
  /** The read store's MongoDB client (command monitoring is switched on only with it). */
  readonly mongoCommands: MongoCommandObserver;
  /** The Redis link (subscribed to node-redis's tracing channels only with it). */
  readonly redisCommands: RedisCommandObserver;
}

/** The process's metrics and traces; null where off. */
export interface Telemetry {
  readonly metrics: PrometheusMetrics | null;
  readonly tracing: TracingSeams | null;
}

export interface TelemetryOverrides {
  /** Turns tracing on with this exporter, whatever the environment says (tests: an in-memory exporter). */
  readonly spanExporter?: SpanExporter;
}

/**
 * Metrics when METRICS=on (the default); tracing when OTEL_EXPORTER_OTLP_ENDPOINT names a
 * collector (and OTEL_SDK_DISABLED is not true). Each is loaded only when on: with both
 * off, neither prom-client nor any OpenTelemetry module is even imported.
 */
export async function startTelemetry(
  config: AppConfig,
  serviceName: string,
  overrides: TelemetryOverrides = {},
): Promise<Telemetry> {
  const metrics = config.metrics === 'on' ? new (await import('../adapters/prometheus/prometheus-metrics.js')).PrometheusMetrics() : null;
  const traced = overrides.spanExporter !== undefined || (config.otelExporterOtlpEndpoint !== undefined && !config.otelSdkDisabled);
  if (!traced) return { metrics, tracing: null };
  const [{ OpenTelemetryTracing }, seams] = await Promise.all([
    import('../adapters/opentelemetry/otel-tracing.js'),
    import('../adapters/opentelemetry/otel-seams.js'),
  ]);
  const tracing = new OpenTelemetryTracing({ serviceName, exporter: overrides.spanExporter });
  return {
    metrics,
    tracing: {
      tracing,
      http: seams.traceHttp(tracing),
      useCases: seams.traceUseCases(tracing),
      cache: (cache) => seams.traceCache(tracing, cache),
      statements: (system) => seams.traceStatements(tracing, system),
      mongoCommands: seams.traceMongoCommands(tracing),
      redisCommands: seams.traceRedisCommands(tracing),
    },
  };
}
