import type { Logger } from 'pino';
import type { MessageBus } from '../application/integration/message-bus.js';
import { openNatsMessageBus } from '../adapters/nats/nats-message-bus.js';
import { openRabbitMqMessageBus } from '../adapters/rabbitmq/rabbitmq-message-bus.js';

export interface OpenMessageBusOptions {
  /** `nats://…` (NATS JetStream) or `amqp://…` / `amqps://…` (RabbitMQ). */
  readonly url: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Prefix of every stream, subject, exchange and queue name ([A-Za-z0-9_-], at most 32). */
  readonly prefix?: string;
  readonly publishTimeoutMs?: number;
  readonly shutdownGraceMs?: number;
  /** NATS only: the stream's duplicate window (default 10 min). */
  readonly duplicateWindowMs?: number;
  /** NATS only: how long the events stream keeps events (default 7 days). */
  readonly retentionMs?: number;
  /** RabbitMQ only: ids remembered per process to drop republished duplicates (default 10 000). */
  readonly dedupeWindow?: number;
}

/**
 * Opens the message bus the URL names. It sits beside the technology folders, not in one,
 * because choosing between two technologies is composition: the adapters themselves never
 * load each other. Rejects with MessageBusError when the broker cannot be reached.
 */
export async function openMessageBus(options: OpenMessageBusOptions): Promise<MessageBus> {
  const scheme = options.url.slice(0, options.url.indexOf(':')).toLowerCase();
  if (scheme === 'nats') return openNatsMessageBus(options);
  if (scheme === 'amqp' || scheme === 'amqps') return openRabbitMqMessageBus(options);
  throw new RangeError(`message bus URL must start with nats://, amqp:// or amqps:// (got "${scheme}:")`);
}
