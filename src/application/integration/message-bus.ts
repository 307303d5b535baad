import type { IntegrationEvent } from './integration-events.js';

/**
 * The message bus port: integration events out to a broker and back in to consumers.
 * One contract suite (test/contract/message-bus) defines it; NATS JetStream, RabbitMQ and
 * memory adapters pass it. Delivery is at least once: every consumer must be idempotent by
 * `event.id` (an inbox), and may see events of different subjects in any order (ADR 010).
 */
export interface MessagePublisher {
  /**
   * Resolves once the broker has durably accepted EVERY event (JetStream ack / RabbitMQ
   * publisher confirm); rejects with MessageBusError otherwise, within the adapter's publish
   * timeout — also while the broker is unreachable. After a rejection nothing may be assumed
   * published or unpublished: the caller retries the same events, and de-duplication by id
   * keeps a retried event from reaching a consumer twice (within the adapter's window).
   * Events are sent in the order given.
   */
  publish(events: readonly IntegrationEvent[]): Promise<void>;
}
export const MessagePublisher = Symbol.for('MessagePublisher');

export interface Delivery {
  readonly event: IntegrationEvent;
  /** 1 on the first delivery to this consumer; a replayed dead letter starts again at 1. */
  readonly attempt: number;
}

export interface RetryBackoff {
  /** Delay before the second delivery; doubles for each further one. */
  readonly initialMs: number;
  /** The longest delay between two deliveries. */
  readonly maxMs: number;
}

export interface ConsumerOptions {
  /**
   * Durable consumer name ([A-Za-z0-9_-], at most 64): every instance with this name shares
   * the work, and the consumer receives every matching event published after it was first
   * started, including those published while no instance ran.
   */
  readonly name: string;
  /** Only these event types (all when absent). */
  readonly types?: readonly string[];
  /** After this many failed deliveries an event is dead-lettered with the last error. */
  readonly maxDeliveries: number;
  /**
   * A delivery not acknowledged in this time (handler too slow, consumer killed or cut off)
   * is given to an instance again; it counts as a failed attempt.
   */
  readonly ackTimeoutMs: number;
  /** Deliveries handled at once by this instance (default 1). */
  readonly concurrency?: number;
  /** Delay between failed deliveries (default 1 s doubling to 30 s). */
  readonly backoff?: RetryBackoff;
}

export interface Subscription {
  /**
   * Stops taking deliveries and resolves once the handlers already running have settled
   * (and been acknowledged or returned). Idempotent.
   */
  stop(): Promise<void>;
}

export interface MessageConsumer {
  /**
   * Starts an instance of the durable consumer `options.name`; resolves once it is ready to
   * receive. `handle` resolves → acknowledged; rejects → delivered again later (backoff)
   * until `maxDeliveries`, then dead-lettered with the error's message. A handler that has
   * not settled is never acknowledged.
   */
  consume(options: ConsumerOptions, handle: (delivery: Delivery) => Promise<void>): Promise<Subscription>;
}
export const MessageConsumer = Symbol.for('MessageConsumer');

export interface DeadLetter {
  readonly event: IntegrationEvent;
  readonly consumer: string;
  readonly reason: string;
  /** ISO-8601. */
  readonly deadAt: string;
  readonly attempts: number;
}

export interface DeadLetters {
  /** The consumer's dead letters, oldest first, at most `limit`. */
  list(consumer: string, limit: number): Promise<readonly DeadLetter[]>;
  /**
   * Puts dead letters back to the consumer (all, or those with these event ids) as new
   * deliveries (attempt 1) to that consumer only; answers how many.
   */
  replay(consumer: string, ids?: readonly string[]): Promise<number>;
}
export const DeadLetters = Symbol.for('DeadLetters');

/** An opened bus: one connection to one broker, shared by its three roles. */
export interface MessageBus {
  readonly kind: 'nats' | 'rabbitmq' | 'memory';
  readonly publisher: MessagePublisher;
  readonly consumer: MessageConsumer;
  readonly deadLetters: DeadLetters;
  /**
   * Stops every consumer of this bus (waiting a bounded time for running handlers: those
   * still running are abandoned unacknowledged and redelivered elsewhere), then closes the
   * connection. Idempotent.
   */
  close(): Promise<void>;
}
export const MessageBus = Symbol.for('MessageBus');

/** The broker did not accept, or cannot be reached for, an operation (infrastructure failure). */
export class MessageBusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MessageBusError';
  }
}
