import type { Logger } from 'pino';
import { MessagePublisher, type MessageBus, type Subscription } from '../application/integration/message-bus.js';
import { OutboxRelay, RelayMonitor, RelayOptions } from '../application/integration/relay.js';
import { NotificationWriter } from '../application/notifications/notification-store.js';
import { Notifier, NOTIFIER_CONSUMER, NOTIFIER_EVENT_TYPES } from '../application/notifications/notifier.js';
import { InMemoryMessageBus } from '../adapters/memory/in-memory-message-bus.js';
import { LoggingNotifierMonitor, LoggingRelayMonitor } from '../adapters/observability/logging-integration-monitors.js';
import type { AppConfig } from '../config/config.js';
import type { Composition } from '../container.js';
import { openMessageBus } from './message-bus.js';

/** The broker the configuration names; null → none (the embedded default: an in-process bus). */
export const brokerUrlOf = (config: AppConfig): string | null => config.natsUrl ?? config.amqpUrl ?? null;

/**
 * Opens the configured broker, trying again with a doubling pause (1 s to 30 s) while it
 * cannot be reached, so a relay or notifier started before its broker waits for it instead
 * of failing. Resolves null when `signal` aborts first.
 */
export async function openBrokerPatiently(config: AppConfig, logger: Logger, signal: AbortSignal): Promise<MessageBus | null> {
  const url = brokerUrlOf(config);
  if (url === null) throw new Error('no broker configured (NATS_URL or AMQP_URL)');
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      return await openMessageBus({ url, logger, prefix: config.busPrefix });
    } catch (error) {
      const waitMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
      logger.warn({ err: error, attempt, retryInMs: waitMs }, 'broker unreachable at start: trying again');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
  return null;
}

/**
 * The relay's pause after a batch (RelayOptions.gatherMs): under load about twenty claims
 * and acknowledgements a second however many events, for at most this much more delay.
 */
const RELAY_GATHER_MS = 50;

/** A running relay loop: its lag for metrics (`conduit_relay_lag_seconds`), and how to stop it. */
export interface RunningRelay {
  /** Age of the oldest event not yet published, in seconds (0 when none): a gauge's collect callback. */
  lagSeconds(): Promise<number>;
  /** Stops after the batch in progress; resolves when the loop has ended. */
  stop(): Promise<void>;
}

/**
 * Starts relaying the outbox to `bus` in this process: binds the relay's ports, registers
 * its outbox queue, runs its loop and logs its lag every RELAY_LAG_LOG_INTERVAL_MS.
 */
export async function startRelay(composition: Composition, config: AppConfig, bus: MessageBus, idleMs: number): Promise<RunningRelay> {
  const { container, logger } = composition;
  const owner = `relay:${composition.owner}`;
  container.bind(MessagePublisher).toConstantValue(bus.publisher);
  container.bind(RelayMonitor).toConstantValue(new LoggingRelayMonitor(logger));
  container.bind(RelayOptions).toConstantValue({
    owner,
    batchSize: config.relayBatchSize,
    leaseMs: config.relayLeaseMs,
    initialBackoffMs: 250,
    maxBackoffMs: config.relayMaxBackoffMs,
    idleMs,
    gatherMs: RELAY_GATHER_MS,
  });
  const relay = container.get(OutboxRelay);
  await relay.subscribe();
  const stop = new AbortController();
  const loop = relay.runUntil(stop.signal, composition.signals);
  const lagTimer = setInterval(() => {
    relay.lagSeconds().then(
      (lag) => (lag > 60 ? logger.warn({ lagSeconds: lag }, 'relay lagging') : logger.info({ lagSeconds: lag }, 'relay lag')),
      (error: unknown) => logger.warn({ err: error }, 'relay lag unknown: outbox unreachable'),
    );
  }, config.relayLagLogIntervalMs);
  lagTimer.unref();
  return {
    lagSeconds: () => relay.lagSeconds(),
    stop: async () => {
      clearInterval(lagTimer);
      stop.abort();
      await loop;
    },
  };
}

/** How often a notifier forgets inbox ids older than NOTIFIER_INBOX_RETENTION_DAYS. */
const INBOX_PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Starts one notifier instance on `bus`: a member of the shared durable consumer
 * `notifier`, which also prunes the inbox now and then (any instance may; it is idempotent).
 */
export async function startNotifier(composition: Composition, config: AppConfig, bus: MessageBus): Promise<Subscription> {
  const { container, logger } = composition;
  const notifier = container.get(Notifier);
  const writer = container.get(NotificationWriter);
  const monitor = new LoggingNotifierMonitor(logger);
  const { metrics } = composition.telemetry;
  const subscription = await bus.consumer.consume(
    {
      name: NOTIFIER_CONSUMER,
      types: NOTIFIER_EVENT_TYPES,
      maxDeliveries: config.notifierMaxDeliveries,
      ackTimeoutMs: config.notifierAckTimeoutMs,
      concurrency: config.notifierConcurrency,
      backoff: { initialMs: config.notifierRetryDelayMs, maxMs: Math.max(config.notifierRetryDelayMs, 30_000) },
    },
    async (delivery) => {
      try {
        const outcome = await notifier.handle(delivery);
        monitor.handled(delivery, outcome);
        metrics?.busHandled(NOTIFIER_CONSUMER, outcome);
      } catch (error) {
        monitor.failed(delivery, error, config.notifierMaxDeliveries);
        metrics?.busHandled(NOTIFIER_CONSUMER, 'failed');
        if (delivery.attempt >= config.notifierMaxDeliveries) metrics?.busDeadLettered(NOTIFIER_CONSUMER);
        throw error;
      }
    },
  );
  const prune = setInterval(() => {
    const before = new Date(Date.now() - config.notifierInboxRetentionDays * 24 * 60 * 60 * 1000);
    writer.pruneInbox(NOTIFIER_CONSUMER, before).then(
      (pruned) => monitor.pruned(pruned),
      (error: unknown) => logger.warn({ err: error }, 'notifier inbox pruning failed; trying again later'),
    );
  }, INBOX_PRUNE_EVERY_MS);
  prune.unref();
  return {
    stop: async () => {
      clearInterval(prune);
      await subscription.stop();
    },
  };
}

/**
 * The embedded default (no broker configured): this process relays its outbox into a bus
 * of its own and runs the notifier on it, so notifications work with zero configuration.
 * Several API processes on one PostgreSQL each do so; the outbox's leases give each event
 * to one of them. What an in-process bus holds is lost if the process dies before the
 * notifier handled it (docs/adr/010): deployments that need no loss configure a broker.
 */
export async function startInProcessIntegration(
  composition: Composition,
  config: AppConfig,
): Promise<{ readonly relay: RunningRelay; close(): Promise<void> }> {
  const bus = new InMemoryMessageBus();
  const subscription = await startNotifier(composition, config, bus);
  // On PostgreSQL the outbox's notifications wake the relay, and looking once a second only
  // catches what they missed; the embedded database has none, so the relay looks twice a second.
  const relay = await startRelay(composition, config, bus, config.databaseUrl === undefined ? 500 : 1_000);
  return {
    relay,
    close: async () => {
      await relay.stop();
      await subscription.stop();
      await bus.close();
    },
  };
}
