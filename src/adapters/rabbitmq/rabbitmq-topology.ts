import type { Channel } from 'amqplib';
import type { ConsumerSettings } from '../../application/integration/delivery-policy.js';

/**
 * Every RabbitMQ name the bus uses, from one prefix (so deployments and test runs can share
 * a broker): the topic exchange events are published to (routing key = event type), one
 * quorum queue per consumer name bound by type, and a direct dead-letter exchange routing
 * to one dead-letter queue per consumer.
 */
export interface RabbitNames {
  readonly exchange: string;
  readonly deadLetterExchange: string;
  queueOf(consumer: string): string;
  deadLetterQueueOf(consumer: string): string;
}

const BUS_PREFIX = /^[A-Za-z0-9_-]{0,32}$/;

export function rabbitNames(prefix = ''): RabbitNames {
  if (!BUS_PREFIX.test(prefix)) throw new RangeError(`bus prefix "${prefix}" must be at most 32 of A-Z a-z 0-9 _ -`);
  const root = prefix === '' ? 'conduit' : `${prefix}.conduit`;
  return {
    exchange: `${root}.events`,
    deadLetterExchange: `${root}.dead-letters`,
    queueOf: (consumer) => `${root}.${consumer}`,
    deadLetterQueueOf: (consumer) => `${root}.${consumer}.dead-letters`,
  };
}

/** Header names on dead letters and on replayed copies. */
export const RABBIT_HEADERS = {
  consumer: 'x-conduit-consumer',
  reason: 'x-conduit-reason',
  deadAt: 'x-conduit-dead-at',
  attempts: 'x-conduit-attempts',
  replayFor: 'x-conduit-replay-for',
} as const;

export async function assertExchanges(channel: Channel, names: RabbitNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true });
}

/**
 * The consumer's queue and dead-letter queue. The queue is a quorum queue (replicated,
 * durable, counts deliveries in `x-delivery-count`). Its delivery limit is a backstop for
 * the adapter's own dead-lettering: a message whose consumers keep dying before settling it
 * is dead-lettered by the broker (at least once) instead of looping for ever. Queue
 * arguments cannot change once declared, so `maxDeliveries` is fixed at first declaration
 * unless the queue is deleted; the adapter's own limit follows the current setting.
 *
 * Bindings are only ever added (an AMQP client cannot list them): a consumer whose `types`
 * were narrowed still receives the old types and acknowledges them unhandled.
 */
export async function assertConsumerQueues(
  openChannel: () => Promise<Channel>,
  names: RabbitNames,
  settings: ConsumerSettings,
): Promise<void> {
  const queue = names.queueOf(settings.name);
  const deadLetterQueue = names.deadLetterQueueOf(settings.name);
  let channel = await openChannel();
  try {
    await assertExchanges(channel, names);
    // Classic, so that listing (get, then requeue) keeps the dead letters in their order.
    await channel.assertQueue(deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    await channel.bindQueue(deadLetterQueue, names.deadLetterExchange, settings.name);
    try {
      await channel.assertQueue(queue, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-delivery-limit': settings.maxDeliveries,
          'x-dead-letter-exchange': names.deadLetterExchange,
          'x-dead-letter-routing-key': settings.name,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      });
    } catch {
      // PRECONDITION_FAILED: it exists with other arguments (an older maxDeliveries); use it as it is.
      channel = await openChannel();
      await channel.checkQueue(queue);
    }
    if (settings.types === null) await channel.bindQueue(queue, names.exchange, '#');
    else {
      await channel.unbindQueue(queue, names.exchange, '#');
      for (const type of settings.types) await channel.bindQueue(queue, names.exchange, type);
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
}
