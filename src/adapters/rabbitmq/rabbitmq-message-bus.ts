import amqp, { type Channel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { consumerSettings, RecentIds, withDeadline } from '../../application/integration/delivery-policy.js';
import type { IntegrationEvent } from '../../application/integration/integration-events.js';
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
import { RabbitConsumerInstance } from './rabbitmq-consumer.js';
import { RabbitDeadLetters } from './rabbitmq-dead-letters.js';
import { assertConsumerQueues, assertExchanges, RABBIT_HEADERS, rabbitNames, type RabbitNames } from './rabbitmq-topology.js';

export interface RabbitMqMessageBusOptions {
  /** `amqp://user:pass@host:5672/vhost` or `amqps://…`. */
  readonly url: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly prefix?: string;
  /** Longest a publish (or an admin call) waits for the broker; also while disconnected. Default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Ids remembered to drop republished duplicates, per consumer and publisher, in this process. Default 10 000. */
  readonly dedupeWindow?: number;
  /** How long `close()` waits for running handlers. Default 10 s. */
  readonly shutdownGraceMs?: number;
}

/** Heartbeats let both sides notice a dead peer (a killed consumer's deliveries are requeued). */
function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', '10');
  return parsed.toString();
}

/**
 * The message bus on RabbitMQ: one connection recovered by amqplib for ever after the first
 * succeeded (connecting fails at once when the broker is unreachable at start), publisher
 * confirms on a confirm channel, quorum queues per consumer.
 *
 * RabbitMQ has no publisher de-duplication. Two bounded windows of recent ids stand in for
 * it: the publisher skips ids the broker already confirmed to it, and each consumer name
 * acknowledges unhandled a delivery whose id this process handled. A duplicate that lands
 * on another process, or after the window, is delivered again: consumers' inboxes are the
 * real guarantee (docs/events.md, ADR 010).
 */
export async function openRabbitMqMessageBus(options: RabbitMqMessageBusOptions): Promise<MessageBus> {
  const names = rabbitNames(options.prefix);
  const timeoutMs = options.publishTimeoutMs ?? 5000;
  let connection: RecoveringChannelModel;
  try {
    connection = await amqp.connect(withHeartbeat(options.url), {
      timeout: timeoutMs,
      recovery: { initialMaxRetries: 0, initialDelay: 200, maxDelay: 5000 },
    });
  } catch (error) {
    throw new MessageBusError(`cannot connect to RabbitMQ at ${redact(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  const bus = new RabbitMqMessageBus(connection, names, timeoutMs, options);
  try {
    const channel = await withDeadline(connection.createChannel(), timeoutMs, 'RabbitMQ');
    channel.on('error', () => undefined);
    await withDeadline(assertExchanges(channel, names), timeoutMs, 'RabbitMQ');
    await channel.close();
  } catch (error) {
    await bus.close();
    throw error;
  }
  return bus;
}

class RabbitMqMessageBus implements MessageBus {
  readonly kind = 'rabbitmq' as const;
  readonly publisher: MessagePublisher;
  readonly consumer: MessageConsumer;
  readonly deadLetters: DeadLetters;
  private readonly instances = new Set<RabbitConsumerInstance>();
  private readonly handled = new Map<string, RecentIds>();
  private readonly confirmed: RecentIds;
  private confirmChannel: Promise<ConfirmChannel> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly connection: RecoveringChannelModel,
    private readonly names: RabbitNames,
    private readonly timeoutMs: number,
    private readonly options: RabbitMqMessageBusOptions,
  ) {
    const window = options.dedupeWindow ?? 10_000;
    this.confirmed = new RecentIds(window);
    connection.on('error', (error: Error) => options.logger.warn({ err: error }, 'message bus: RabbitMQ connection error'));
    connection.on('disconnect', (error: Error) => options.logger.warn({ err: error }, 'message bus: RabbitMQ disconnected; reconnecting'));
    connection.on('connect', () => options.logger.info('message bus: RabbitMQ connected'));
    connection.on('reconnect-failed', (error: Error) => options.logger.error({ err: error }, 'message bus: RabbitMQ recovery gave up'));

    this.publisher = { publish: (events) => this.publish(events) };
    this.consumer = {
      consume: async (consumerOptions: ConsumerOptions, handle: (delivery: Delivery) => Promise<void>): Promise<Subscription> => {
        this.ensureOpen('consume');
        const settings = consumerSettings(consumerOptions);
        const openChannel = () => this.openChannel();
        await withDeadline(assertConsumerQueues(openChannel, names, settings), timeoutMs, `consumer ${settings.name}`);
        let handled = this.handled.get(settings.name);
        if (handled === undefined) this.handled.set(settings.name, (handled = new RecentIds(window)));
        const instance = new RabbitConsumerInstance(settings, handle, {
          openChannel,
          deadLetter: (event, consumer, reason, attempts) => this.storeDeadLetter(event, consumer, reason, attempts),
          names,
          logger: options.logger,
          handled,
        });
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
    this.deadLetters = new RabbitDeadLetters(
      () => withDeadline(this.openChannel(), timeoutMs, 'dead letters'),
      () => withDeadline(this.openChannel(true), timeoutMs, 'dead letters'),
      names,
    );
  }

  /**
   * A channel with an error listener: amqplib hands a channel error nobody listens to (a
   * 404 from checkQueue, a 406 from a redeclaration) to the connection, which then closes
   * with every other channel on it.
   */
  private async openChannel(): Promise<Channel>;
  private async openChannel(confirm: true): Promise<ConfirmChannel>;
  private async openChannel(confirm = false): Promise<Channel | ConfirmChannel> {
    const channel = confirm ? await this.connection.createConfirmChannel() : await this.connection.createChannel();
    channel.on('error', () => undefined); // the operation that caused it rejects and reports it
    return channel;
  }

  private async publish(events: readonly IntegrationEvent[]): Promise<void> {
    this.ensureOpen('publish');
    const fresh = events.filter((event) => !this.confirmed.has(event.id));
    if (fresh.length === 0) return;
    await withDeadline(
      (async () => {
        const channel = await this.channelForConfirms();
        await Promise.all(
          fresh.map((event) =>
            this.confirmedPublish(channel, this.names.exchange, event.type, event, { timestamp: Math.floor(Date.parse(event.time) / 1000) }),
          ),
        );
      })(),
      this.timeoutMs,
      'publish',
    );
    for (const event of fresh) this.confirmed.add(event.id);
  }

  private async storeDeadLetter(event: IntegrationEvent, consumer: string, reason: string, attempts: number): Promise<void> {
    await withDeadline(
      (async () => {
        const channel = await this.channelForConfirms();
        await this.confirmedPublish(channel, this.names.deadLetterExchange, consumer, event, {
          headers: {
            [RABBIT_HEADERS.consumer]: consumer,
            [RABBIT_HEADERS.reason]: reason,
            [RABBIT_HEADERS.deadAt]: new Date().toISOString(),
            [RABBIT_HEADERS.attempts]: attempts,
          },
        });
      })(),
      this.timeoutMs,
      'dead-lettering',
    );
  }

  private confirmedPublish(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    event: IntegrationEvent,
    extra: { timestamp?: number; headers?: Record<string, unknown> },
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      channel.publish(
        exchange,
        routingKey,
        Buffer.from(JSON.stringify(event)),
        { persistent: true, messageId: event.id, type: event.type, contentType: 'application/cloudevents+json', ...extra },
        (error: unknown) => (error ? reject(new MessageBusError(`the broker refused ${event.id}`, { cause: error })) : resolve()),
      );
    });
  }

  /** One confirm channel, created on first use and again after it closed (a lost connection). */
  private channelForConfirms(): Promise<ConfirmChannel> {
    if (this.confirmChannel === null) {
      const opening = this.openChannel(true).then((channel: ConfirmChannel) => {
        channel.on('error', (error: Error) => this.options.logger.warn({ err: error }, 'message bus: publish channel error'));
        channel.once('close', () => {
          if (this.confirmChannel === opening) this.confirmChannel = null;
        });
        return channel;
      });
      opening.catch(() => {
        if (this.confirmChannel === opening) this.confirmChannel = null;
      });
      this.confirmChannel = opening;
    }
    return this.confirmChannel;
  }

  private ensureOpen(what: string): void {
    if (this.closing !== null) throw new MessageBusError(`${what}: the message bus is closed`);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const grace = this.options.shutdownGraceMs ?? 10_000;
      await Promise.all([...this.instances].map((instance) => instance.stopWithin(grace)));
      this.instances.clear();
      await this.connection.close().catch(() => undefined);
    })();
    return this.closing;
  }
}

/** A URL as it may be logged: without its password. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/g, '//$1:***@');
}


