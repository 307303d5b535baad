import type { Logger } from 'pino';
import { readThroughCache } from '../application/caching/read-through.js';
import { Projector } from '../application/read-side/projector.js';
import { AwaitOwnEvents, ProjectOwnEvents, readYourWritesWrapper } from '../application/shared/read-your-writes.js';
import { observeUseCases } from '../application/shared/use-case-monitor.js';
import { assembleUseCases, type UseCases } from '../application/use-cases.js';
import { buildHttpApp } from '../adapters/http/app.js';
import type { HttpTelemetry } from '../adapters/http/http-deps.js';
import { FanOutMonitor } from '../adapters/observability/fan-out-monitors.js';
import type { MetricsServer } from '../adapters/prometheus/metrics-server.js';
import { loadTlsMaterial, TlsConfigurationError, type TlsMaterial } from '../adapters/http/tls.js';
import { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { AsyncCommitScope } from '../adapters/system/async-commit-scope.js';
import { ConfigError, type AppConfig } from '../config/config.js';
import { resolveJwtSecret } from '../config/jwt-secret.js';
import { compose, type Composition, type Overrides } from '../container.js';
import { brokerUrlOf, startInProcessIntegration } from './integration.js';
import { relayInWorker } from './integration-processes.js';
import { exposeMetrics } from './metrics-exposure.js';
import { checkOidcSettings, oidcAuthenticationOf } from './oidc.js';
import { IdempotencyStore } from '../application/shared/idempotency.js';
import { AnswerSeal } from '../adapters/security/answer-seal.js';

/** How often an in-process projector looks for events no writer projected (retries, crash recovery). */
const BACKGROUND_CATCH_UP_MS = 1_000;
/** How often it checks that the read store still holds its data. */
const REPAIR_CHECK_MS = 5_000;
/** The longest a worker sleeps between looks when no signal woke it. */
const WORKER_IDLE_MS = 1_000;

/** Every use case, built and wrapped once from the registry: the query cache, read-your-writes, the command log and metrics, tracing (outermost). */
function useCasesOf(composition: Composition, config: AppConfig, inline: boolean): UseCases {
  const { container } = composition;
  const timeoutMs = config.readYourWritesTimeoutMs;
  const projector = container.get(Projector);
  const monitor = container.get(FanOutMonitor);
  const { metrics, tracing } = composition.telemetry;
  const projection = inline ? new ProjectOwnEvents(projector) : new AwaitOwnEvents(composition.signals, timeoutMs, monitor);
  // A command's own commit forgets the credential states it changed before it answers.
  const sync = composition.credentials ? composition.credentials.forgettingOwnCommits(projection) : projection;
  const cache = tracing ? tracing.cache(composition.shared.cache) : composition.shared.cache;
  const lifetimes = { item: config.cacheTtlMs, list: config.cacheListTtlMs ?? config.cacheTtlMs };
  const cached = cache.state() === 'off' ? [] : [readThroughCache(cache, lifetimes, metrics ?? undefined, config.cacheDecodedEntries)];
  return assembleUseCases(
    (handler) => container.get(handler),
    [
      ...cached,
      readYourWritesWrapper(container.get(AsyncCommitScope), sync),
      observeUseCases(monitor),
      ...(tracing ? [tracing.useCases] : []),
    ],
  );
}

export interface Application {
  readonly http: ReturnType<typeof buildHttpApp>;
  readonly useCases: UseCases;
  readonly composition: Composition;
  readonly logger: Logger;
  /** The port /metrics is served on when METRICS_PORT is set (the actual one when 0 asked for any); else null. */
  readonly metricsPort: number | null;
  /** The in-process relay's lag in seconds (gauge `conduit_relay_lag_seconds`); null when relays run elsewhere (a broker is configured). */
  readonly relayLagSeconds: (() => Promise<number>) | null;
  /** Starts draining: readiness answers 503 and every answer asks the client to reconnect elsewhere. */
  drain(): void;
  /** Cuts every open HTTP connection, requests in flight included (the shutdown's timeout). */
  cutConnections(): void;
  close(): Promise<void>;
}

/** The API process: the composition, the wrapped use cases, HTTP, and (inline) the background projector. */
export async function createApplication(config: AppConfig, overrides: Overrides = {}): Promise<Application> {
  const tls = tlsOf(config);
  checkOidcSettings(config);
  const composition = await compose(config, 'api', overrides);
  const { container, logger } = composition;
  const inline = config.projector === 'inline' || config.storage === 'memory';
  const projector = container.get(Projector);
  const useCases = useCasesOf(composition, config, inline);
  let draining = false;
  const { metrics, tracing } = composition.telemetry;
  const separatePort = config.metricsPort !== undefined;
  const telemetry: HttpTelemetry | undefined =
    metrics || tracing ? { ...metrics?.http(!separatePort), ...(tracing && { trace: tracing.http }) } : undefined;
  const jwtSecret = resolveJwtSecret(config, logger);
  const tokens = new JwtTokenService(jwtSecret, config.jwtTtlSeconds, {
    ...(config.jwtSecretPrevious !== undefined && { previousSecret: config.jwtSecretPrevious }),
  });
  const http = buildHttpApp(
    {
      useCases,
      tokens,
      oidc: oidcAuthenticationOf(config, tokens, logger),
      logger,
      readiness: composition.readiness,
      rateLimitStore: composition.shared.rateLimitStore,
      idempotency: {
        store: container.get(IdempotencyStore),
        sealer: new AnswerSeal(jwtSecret),
        ttlSeconds: config.idempotencyTtlS,
        waitMs: config.idempotencyWaitMs,
      },
      options: {
        bodyLimit: config.bodyLimit,
        corsOrigins: config.corsOrigins,
        rateLimitPerMinute: config.rateLimitPerMinute,
        trustProxy: config.trustProxy,
        sharedMaxAgeS: config.httpSharedMaxAgeS,
        requestLogSampleRate: config.logRequestSampleRate,
        overload: { maxEventLoopDelayMs: config.overloadMaxEventLoopDelayMs, maxHeapBytes: config.overloadMaxHeapBytes },
        tls: tls && { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' },
      },
      telemetry,
    },
    { draining: () => draining },
  );

  let timer: NodeJS.Timeout | undefined;
  if (inline) {
    // Events committed before a crash (or whose projection failed) are applied now and then
    // retried in the background; writers apply their own at once. Never rejects: a read
    // store that is down is repaired by the background loop once it answers.
    await projector.repairReadStore();
    await projector.catchUp();
    let nextRepair = performance.now() + REPAIR_CHECK_MS;
    timer = setInterval(() => {
      if (performance.now() >= nextRepair) {
        nextRepair = performance.now() + REPAIR_CHECK_MS;
        void projector.repairReadStore();
      }
      void projector.catchUp();
    }, BACKGROUND_CATCH_UP_MS);
    timer.unref();
  }
  const metricsServer = await exposeMetrics(composition, config, 'api', () => draining);
  // No broker configured: this process relays and notifies on a bus of its own (integration.ts).
  const integration = brokerUrlOf(config) === null ? await startInProcessIntegration(composition, config) : null;
  const bindings = {
    ...composition.bindings,
    Projector: inline ? 'in-process' : 'worker processes (npm run worker)',
    'Relay, Notifier': integration ? 'in-process (in-memory bus)' : 'npm run relay, npm run notifier (broker)',
  };
  logger.info({ bindings }, 'adapters bound');
  if (tls) logger.info({ certificate: tls.certificate }, 'serving HTTPS');
  return {
    http,
    useCases,
    composition,
    logger,
    metricsPort: metricsServer?.port ?? null,
    relayLagSeconds: integration ? () => integration.relay.lagSeconds() : null,
    drain: () => {
      draining = true;
    },
    cutConnections: () => http.server.closeAllConnections(),
    close: async () => {
      if (timer) clearInterval(timer);
      await metricsServer?.close();
      await http.close();
      if (inline) {
        await projector.acknowledged();
        await projector.catchUp();
      }
      await integration?.close();
      await composition.close();
    },
  };
}

/** TLS_CERT_FILE / TLS_KEY_FILE, read and checked before anything opens: a bad file is one line at start. */
function tlsOf(config: AppConfig): TlsMaterial | undefined {
  try {
    return loadTlsMaterial({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile });
  } catch (error) {
    throw error instanceof TlsConfigurationError ? new ConfigError(error.message) : error;
  }
}

export interface ProjectorWorker {
  readonly logger: Logger;
  readonly composition: Composition;
  /** The port /metrics is served on (METRICS_PORT; the actual one when 0 asked for any); null: none. */
  readonly metricsPort: number | null;
  /** Projects until `signal` aborts, finishing the batch in progress. */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A projector process (`npm run worker`): the same stores and projections, no HTTP. */
export async function createProjectorWorker(config: AppConfig, overrides: Overrides = {}): Promise<ProjectorWorker> {
  const composition = await compose(config, 'worker', overrides);
  const { container, logger } = composition;
  const projector = container.get(Projector);
  let metricsServer: MetricsServer | null;
  try {
    metricsServer = await exposeMetrics(composition, config, 'worker', () => false);
  } catch (error) {
    await composition.close();
    throw error;
  }
  logger.info({ bindings: { ...composition.bindings, Projector: 'worker' } }, 'projector worker started');
  return {
    logger,
    composition,
    metricsPort: metricsServer?.port ?? null,
    run: async (signal) => {
      const relaying = config.relay === 'worker' ? relayInWorker(composition, config, signal) : Promise.resolve();
      await projector.repairReadStore();
      await projector.runUntil(signal, composition.signals, WORKER_IDLE_MS);
      await relaying;
    },
    close: async () => {
      await metricsServer?.close();
      await composition.close();
    },
  };
}
