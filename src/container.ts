import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Container, type ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { EventOutbox, OutboxAppendOptions, type OutboxSignals } from './application/read-side/event-outbox.js';
import { ProjectorOptions } from './application/read-side/projector.js';
import { ReadSideStartup } from './application/read-side/read-side-startup.js';
import { Tracing } from './application/shared/tracing.js';
import { PasswordHasher } from './application/users/password-hasher.js';
import type { ReadinessCheck } from './adapters/http/http-deps.js';
import { createLogger } from './adapters/observability/logger.js';
import { observabilityModule } from './adapters/observability/observability.module.js';
import { securityModule } from './adapters/security/security.module.js';
import { SqlNotificationOptions } from './adapters/sql/notifications/sql-notifications.js';
import type { SqlDatabase } from './adapters/sql/sql-database.js';
import { systemModule } from './adapters/system/system.module.js';
import { Lifetime } from './composition/lifetime.js';
import { bindCredentials } from './composition/credentials.js';
import { bindSharedState, type SharedState } from './composition/shared-state.js';
import type { RememberedCredentials } from './application/users/remembered-credentials.js';
import { bindStorage } from './composition/storage.js';
import { startTelemetry, type Telemetry, type TelemetryOverrides } from './composition/telemetry.js';
import type { AppConfig } from './config/config.js';

export interface Overrides extends TelemetryOverrides {
  readonly logger?: Logger;
  /** Replaces the argon2 hasher (tests that register many users). */
  readonly passwordHasher?: PasswordHasher;
  /** An already open (test) database to use instead of opening one from the configuration; its owner closes it. */
  readonly database?: SqlDatabase;
}

/** The API answers requests; a worker only projects; a relay publishes the outbox; a notifier consumes the broker. */
export type ProcessRole = 'api' | 'worker' | 'relay' | 'notifier';

/** Every port bound and every store opened: what the API, the worker and the CLIs share. */
export interface Composition {
  readonly container: Container;
  readonly logger: Logger;
  /** This process's name in outbox leases (host:pid:random). */
  readonly owner: string;
  /** Which adapter serves each concern (logged at start). */
  readonly bindings: Readonly<Record<string, string>>;
  readonly readiness: readonly ReadinessCheck[];
  /** The outbox's signals between the processes (or within this one). */
  readonly signals: OutboxSignals;
  /** The query cache and the rate-limit counters, shared through Redis when it is configured. */
  readonly shared: SharedState;
  /** Metrics and tracing, each null when off. */
  readonly telemetry: Telemetry;
  /** The credential states this API process remembers (ADR 014), or null when it does not. */
  readonly credentials: RememberedCredentials | null;
  /** Closes everything opened, last opened first. */
  close(): Promise<void>;
}

/**
 * The composition root: the only place that chooses adapters. Configuration picks one
 * container module per adapter family; everything else is built by the container from
 * constructors' `@inject` tokens (application classes are bound by themselves: autobind).
 */
export async function compose(config: AppConfig, role: ProcessRole, overrides: Overrides = {}): Promise<Composition> {
  const telemetry = await startTelemetry(config, `conduit-${role}`, overrides);
  const tracing = telemetry.tracing?.tracing;
  const logger = overrides.logger ?? createLogger(config, tracing && ((_line, _level, log) => tracing.logFields(log)));
  const container = new Container({ defaultScope: 'Singleton', autobind: true });
  const lifetime = new Lifetime();
  const bindings: Record<string, string> = {};
  const load = (what: string, adapter: string, ...modules: ContainerModule[]) => {
    container.load(...modules);
    bindings[what] = adapter;
  };
  const readiness: ReadinessCheck[] = [];
  const inline = config.projector === 'inline' || config.storage === 'memory';
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  // Deferred first, so closed last: spans of the shutdown itself are still exported.
  if (tracing) lifetime.defer(() => tracing.shutdown());
  try {
    load('system', 'clock, ids, commit scope', systemModule(), observabilityModule(logger, telemetry.metrics));
    if (tracing) container.bind(Tracing).toConstantValue(tracing);
    load('PasswordHasher', 'argon2id', securityModule());
    if (overrides.passwordHasher) container.rebind(PasswordHasher).toConstantValue(overrides.passwordHasher);
    container.bind(ProjectorOptions).toConstantValue({
      owner,
      batchSize: config.projectorBatchSize,
      leaseMs: config.projectorLeaseMs,
      maxAttempts: config.projectorMaxAttempts,
      retryDelayMs: 500,
      maxRetryDelayMs: 60_000,
      // Under load about twenty acknowledgements a second, however many writers; a
      // lease is a second at least (PROJECTOR_LEASE_MS).
      acknowledgeGatherMs: Math.min(50, config.projectorLeaseMs / 20),
    });
    container.bind(OutboxAppendOptions).toConstantValue({
      ownLease: role === 'api' && inline ? { owner, ms: config.projectorLeaseMs } : null,
      awaitMs: role === 'api' && !inline ? config.readYourWritesTimeoutMs : 0,
      ...(tracing && { traceContext: () => tracing.current() }),
    });
    container.bind(SqlNotificationOptions).toConstantValue({ fanOutBatch: config.notifierFanoutBatch });
    // Before the storage: the projector, built later, must find the cache's observer bound.
    const seams = telemetry.tracing;
    const shared = await bindSharedState({ config, container, logger, lifetime, bindings, readiness, redisCommands: seams?.redisCommands });
    const storage = await bindStorage({
      config,
      container,
      logger,
      lifetime,
      load,
      readiness,
      needsSharedSignals: !(role === 'api' && inline),
      database: overrides.database,
      mongoCommands: seams?.mongoCommands,
    });
    bindings.ReadModelGeneration = storage.generation;
    const { database } = storage;
    // The metrics' observer, then the traces': each statement's span is opened inside its timing.
    if (database && telemetry.metrics) database.observe(telemetry.metrics.statements());
    if (database && seams) database.observe(seams.statements(database.kind));
    // The relay's queue exists once any relay registered (an API without a broker, or npm run relay).
    telemetry.metrics?.watchOutbox(container.get(EventOutbox), ['projector', 'relay']);
    telemetry.metrics?.watchPool(() => database?.poolUsage() ?? null);
    const cacheOn = shared.cache.state() !== 'off';
    const credentials =
      role === 'api' ? await bindCredentials({ config, container, logger, lifetime, bindings, readiness, database, cacheOn }) : null;
    bindings.Telemetry = `metrics ${telemetry.metrics ? 'on' : 'off'}, tracing ${tracing ? 'on (OTLP)' : 'off'}`;
    readiness.push({ name: 'read-store', check: () => container.get(ReadSideStartup).health() });
    return { container, logger, owner, bindings, readiness, signals: storage.signals, shared, telemetry, credentials, close: () => lifetime.close() };
  } catch (error) {
    // The first failure is the one to report; closing what was opened is best effort.
    await lifetime.close().catch(() => undefined);
    throw error;
  }
}
