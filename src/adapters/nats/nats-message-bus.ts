import {
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { consumerSettings, withDeadline } from '../../application/integration/delivery-policy.js';
import {
  MessageBusError,
  type ConsumerOptions,
  type DeadLetters,
  type Delivery,
  type MessageBus,
  type MessageConsumer,
  type MessagePublisher,
  type Subscription,
} from '../../application/integration/message-bus.js';
import { ensureNatsConsumer, NatsConsumerInstance } from './nats-consumer.js';
import { NatsDeadLetters } from './nats-dead-letters.js';
import { natsNames, type NatsNames } from './nats-names.js';

export interface NatsMessageBusOptions {
  /** `nats://host:port`, or several separated by commas (a cluster). */
  readonly url: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly prefix?: string;
  /** Longest a publish (or an admin call) waits for JetStream; also while disconnected. Default 5 s. */
  readonly publishTimeoutMs?: number;
  /** JetStream drops a message whose id it stored within this window. Default 10 min. */
  readonly duplicateWindowMs?: number;
  /** How long the events stream keeps events. Default 7 days. */
  readonly retentionMs?: number;
  /** How long `close()` waits for running handlers. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Pause between reconnect attempts (for ever). Default 1 s. */
  readonly reconnectWaitMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates the stream, or brings an existing one's settings to these; subjects, storage and retention are the adapter's. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  const existing = await jsm.streams.info(config.name).catch(() => null);
  if (existing === null) await jsm.streams.add(config);
  else if (
    existing.config.duplicate_window !== config.duplicate_window ||
    existing.config.max_age !== config.max_age ||
    existing.config.allow_direct !== config.allow_direct
  )
    await jsm.streams.update(config.name, config);
}

/**
 * The message bus on NATS JetStream: one connection that reconnects for ever (publishes
 * reject after `publishTimeoutMs` while it is down), an events stream with a duplicate
 * window keyed by event id (the `Nats-Msg-Id`), durable pull consumers and a dead-letter
 * stream. Connecting fails at once when the server cannot be reached at start.
 */
export async function openNatsMessageBus(options: NatsMessageBusOptions): Promise<MessageBus> {
  const names = natsNames(options.prefix);
  const timeoutMs = options.publishTimeoutMs ?? 5000;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url.split(',').map((server) => server.trim()),
      name: 'conduit-cqrs',
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 1000,
      timeout: timeoutMs,
    });
  } catch (error) {
    throw new MessageBusError(`cannot connect to NATS at ${redact(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    await ensureStream(jsm, {
      name: names.eventStream,
      subjects: [names.eventSubjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(options.duplicateWindowMs ?? 10 * 60 * 1000),
      max_age: nanos(options.retentionMs ?? 7 * DAY_MS),
      allow_direct: false,
    });
    await ensureStream(jsm, {
      name: names.deadLetterStream,
      subjects: [names.deadLetterSubjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(10 * 60 * 1000),
      max_age: 0,
      allow_direct: true,
    });
    return new NatsMessageBus(nc, jetstream(nc, { timeout: timeoutMs }), jsm, names, timeoutMs, options);
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw error instanceof MessageBusError ? error : new MessageBusError(`NATS JetStream: ${(error as Error).message}`, { cause: error });
  }
}

class NatsMessageBus implements MessageBus {
  readonly kind = 'nats' as const;
  readonly publisher: MessagePublisher;
  readonly consumer: MessageConsumer;
  readonly deadLetters: DeadLetters;
  private readonly instances = new Set<NatsConsumerInstance>();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    names: NatsNames,
    timeoutMs: number,
    private readonly options: NatsMessageBusOptions,
  ) {
    this.publisher = {
      publish: async (events) => {
        if (this.closing !== null) throw new MessageBusError('publish: the message bus is closed');
        // All in flight at once; one connection keeps them in order. Every ack must come back.
        await withDeadline(
          Promise.all(
            events.map((event) =>
              js.publish(names.subjectOf(event.type), JSON.stringify(event), { msgID: event.id, timeout: timeoutMs }),
            ),
          ),
          timeoutMs,
          'publish',
        );
      },
    };
    this.consumer = {
      consume: async (consumerOptions: ConsumerOptions, handle: (delivery: Delivery) => Promise<void>): Promise<Subscription> => {
        if (this.closing !== null) throw new MessageBusError('consume: the message bus is closed');
        const settings = consumerSettings(consumerOptions);
        await withDeadline(ensureNatsConsumer(jsm, names, settings), timeoutMs, `consumer ${settings.name}`);
        const instance = new NatsConsumerInstance(js, names, settings, handle, options.logger);
        await withDeadline(instance.start(), timeoutMs, `consumer ${settings.name}`);
        this.instances.add(instance);
        return {
          stop: async () => {
            this.instances.delete(instance);
            await instance.stop();
          },
        };
      },
    };
    this.deadLetters = new NatsDeadLetters(js, jsm, names, timeoutMs);
    void this.watch();
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.options.logger.warn({ server: status.server }, 'message bus: NATS disconnected; reconnecting');
      else if (status.type === 'reconnect') this.options.logger.info({ server: status.server }, 'message bus: NATS reconnected');
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const grace = this.options.shutdownGraceMs ?? 10_000;
      await Promise.all([...this.instances].map((instance) => instance.stopWithin(grace)));
      this.instances.clear();
      await this.nc.close();
    })();
    return this.closing;
  }
}

/** A URL as it may be logged: without its password. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/g, '//$1:***@');
}
