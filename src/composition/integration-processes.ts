import type { Logger } from 'pino';
import type { MessageBus } from '../application/integration/message-bus.js';
import type { AppConfig } from '../config/config.js';
import { compose, type Composition, type Overrides } from '../container.js';
import { brokerUrlOf, openBrokerPatiently, startNotifier, startRelay, type RunningRelay } from './integration.js';
import { exposeMetrics } from './metrics-exposure.js';

/** The longest a relay sleeps between looks at the outbox when no signal woke it. */
const RELAY_IDLE_MS = 1_000;

export interface IntegrationProcess {
  readonly logger: Logger;
  readonly composition: Composition;
  /** Works until `signal` aborts (waiting for the broker first if it is down at start), then stops cleanly. */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

function needBroker(config: AppConfig, what: string): void {
  if (brokerUrlOf(config) === null)
    throw new Error(
      `${what} needs a broker: set NATS_URL (nats://…) or AMQP_URL (amqp://…). Without one, each API process relays and notifies in process.`,
    );
}

const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/**
 * A relay process (`npm run relay`): publishes the outbox to the broker. Any number may
 * run; a relay killed at any moment loses nothing (its leases run out, another publishes).
 */
export async function createRelayProcess(config: AppConfig, overrides: Overrides = {}): Promise<IntegrationProcess & { lagSeconds(): Promise<number> }> {
  needBroker(config, 'npm run relay');
  const composition = await compose(config, 'relay', overrides);
  const { logger } = composition;
  const metricsServer = await exposeMetrics(composition, config, 'relay', () => false);
  let bus: MessageBus | null = null;
  let relay: RunningRelay | null = null;
  return {
    logger,
    composition,
    lagSeconds: async () => (relay === null ? 0 : relay.lagSeconds()),
    run: async (signal) => {
      bus = await openBrokerPatiently(config, logger, signal);
      if (bus === null) return;
      relay = await startRelay(composition, config, bus, RELAY_IDLE_MS);
      logger.info({ bindings: { ...composition.bindings, MessageBus: bus.kind } }, 'relay started');
      await aborted(signal);
      await relay.stop();
    },
    close: async () => {
      await metricsServer?.close();
      await bus?.close();
      await composition.close();
    },
  };
}

/**
 * A notifier process (`npm run notifier`): one instance of the durable consumer `notifier`;
 * any number may run and share the work. Killed at any moment, it loses nothing: what it
 * had not acknowledged is delivered again, and its inbox makes the repeat harmless.
 */
export async function createNotifierProcess(config: AppConfig, overrides: Overrides = {}): Promise<IntegrationProcess> {
  needBroker(config, 'npm run notifier');
  const composition = await compose(config, 'notifier', overrides);
  const { logger } = composition;
  const metricsServer = await exposeMetrics(composition, config, 'notifier', () => false);
  let bus: MessageBus | null = null;
  return {
    logger,
    composition,
    run: async (signal) => {
      bus = await openBrokerPatiently(config, logger, signal);
      if (bus === null) return;
      const subscription = await startNotifier(composition, config, bus);
      logger.info({ bindings: { ...composition.bindings, MessageBus: bus.kind } }, 'notifier started');
      await aborted(signal);
      await subscription.stop();
    },
    close: async () => {
      await metricsServer?.close();
      await bus?.close();
      await composition.close();
    },
  };
}

/** RELAY=worker: a projector worker relays too, on its own connection to the broker. */
export async function relayInWorker(composition: Composition, config: AppConfig, signal: AbortSignal): Promise<void> {
  const bus = await openBrokerPatiently(config, composition.logger, signal);
  if (bus === null) return;
  try {
    const relay = await startRelay(composition, config, bus, RELAY_IDLE_MS);
    composition.logger.info({ MessageBus: bus.kind }, 'relay started in the projector worker');
    await aborted(signal);
    await relay.stop();
  } finally {
    await bus.close();
  }
}
