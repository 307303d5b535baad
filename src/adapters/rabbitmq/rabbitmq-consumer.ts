import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import {
  afterFailure,
  beyondLimit,
  failureReason,
  handleWithin,
  retryDelayMs,
  wants,
  type ConsumerSettings,
  type RecentIds,
} from '../../application/integration/delivery-policy.js';
import { parseIntegrationEvent, type IntegrationEvent } from '../../application/integration/integration-events.js';
import type { Delivery } from '../../application/integration/message-bus.js';
import { RABBIT_HEADERS, type RabbitNames } from './rabbitmq-topology.js';

type Handler = (delivery: Delivery) => Promise<void>;

export interface RabbitConsumerDeps {
  /** A new channel; waits while the connection is being recovered. */
  readonly openChannel: () => Promise<Channel>;
  /** Stores a dead letter through a confirmed publish; rejects if the broker did not confirm it. */
  readonly deadLetter: (event: IntegrationEvent, consumer: string, reason: string, attempts: number) => Promise<void>;
  readonly names: RabbitNames;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  /** Ids handled recently by any instance of this consumer in this process. */
  readonly handled: RecentIds;
}

/**
 * One `consume` call. Its channel is reopened (queues re-declared, consumption resumed)
 * whenever it closes while the instance runs: after a lost connection, once amqplib has
 * recovered it. Each delivery is settled once on the channel it came on: ack after the
 * handler resolved; after a failure it is held for the backoff delay and then returned
 * (nack + requeue, which the quorum queue counts); a handler still running after
 * `ackTimeoutMs` has its delivery returned at once, and its late outcome is ignored.
 */
export class RabbitConsumerInstance {
  private stopped = false;
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private readonly running = new Set<Promise<void>>();
  private readonly held = new Map<ReturnType<typeof setTimeout>, () => void>();
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: ConsumerSettings,
    private readonly handle: Handler,
    private readonly deps: RabbitConsumerDeps,
  ) {}

  /** Resolves once consuming; rejects if the first attempt fails (later ones retry for ever). */
  start(): Promise<void> {
    return new Promise((ready, fail) => {
      this.loop = this.run(ready, fail);
    });
  }

  private async run(ready: () => void, fail: (error: unknown) => void): Promise<void> {
    let first = true;
    let failures = 0;
    while (!this.stopped) {
      try {
        const channel = await this.deps.openChannel();
        const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
        channel.on('error', (error: Error) => this.deps.logger.warn({ err: error, consumer: this.settings.name }, 'message bus: consumer channel error'));
        await channel.prefetch(this.settings.concurrency);
        const { consumerTag } = await channel.consume(this.deps.names.queueOf(this.settings.name), (msg) => {
          if (msg !== null) this.onMessage(channel, msg);
        });
        this.channel = channel;
        this.consumerTag = consumerTag;
        failures = 0;
        if (first) ready();
        first = false;
        await closed;
        this.channel = null;
        if (!this.stopped) this.deps.logger.warn({ consumer: this.settings.name }, 'message bus: consumer channel closed; reopening');
      } catch (error) {
        if (first) return fail(error);
        if (this.stopped) return;
        failures += 1;
        await sleep(retryDelayMs(failures, { initialMs: 200, maxMs: 5000 }));
      }
    }
  }

  private onMessage(channel: Channel, msg: ConsumeMessage): void {
    const work = this.process(channel, msg);
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private async process(channel: Channel, msg: ConsumeMessage): Promise<void> {
    const headers = msg.properties.headers ?? {};
    const replay = typeof headers[RABBIT_HEADERS.replayFor] === 'string';
    let event: IntegrationEvent;
    try {
      event = parseIntegrationEvent(msg.content.toString('utf8'));
    } catch (error) {
      this.deps.logger.error({ err: error, consumer: this.settings.name }, 'message bus: malformed message dropped');
      return settle(() => channel.ack(msg));
    }
    // A duplicate of an event this process handled (a republish): acknowledged, not handled again.
    if (!wants(this.settings, event.type) || (!replay && this.deps.handled.has(event.id))) return settle(() => channel.ack(msg));
    const attempt = Number(headers['x-delivery-count'] ?? 0) + 1;
    const over = beyondLimit(attempt, this.settings);
    if (over !== null) return this.deadLetter(channel, msg, event, over, attempt - 1);

    const outcome = await handleWithin(() => this.handle({ event, attempt }), this.settings.ackTimeoutMs);
    if (outcome === 'timeout') return settle(() => channel.nack(msg, false, true));
    if (outcome === 'ok') {
      this.deps.handled.add(event.id);
      return settle(() => channel.ack(msg));
    }
    const next = afterFailure(attempt, this.settings);
    if (next.action === 'dead-letter') return this.deadLetter(channel, msg, event, failureReason(outcome.error), attempt);
    this.hold(next.delayMs, () => settle(() => channel.nack(msg, false, true)));
  }

  /** Keeps a failed delivery (and its prefetch slot) until its retry is due; stopping returns it at once. */
  private hold(delayMs: number, giveBack: () => void): void {
    const timer = setTimeout(() => {
      this.held.delete(timer);
      giveBack();
    }, delayMs);
    this.held.set(timer, giveBack);
  }

  private async deadLetter(channel: Channel, msg: ConsumeMessage, event: IntegrationEvent, reason: string, attempts: number): Promise<void> {
    try {
      await this.deps.deadLetter(event, this.settings.name, reason, attempts);
      settle(() => channel.ack(msg));
    } catch (error) {
      this.deps.logger.error({ err: error, consumer: this.settings.name, id: event.id }, 'message bus: dead-lettering failed; will retry');
      this.hold(this.settings.backoff.maxMs, () => settle(() => channel.nack(msg, false, true)));
    }
  }

  /** Stops taking deliveries; resolves when running handlers have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    if (channel !== null && this.consumerTag !== null) await channel.cancel(this.consumerTag).catch(() => undefined);
    await Promise.all([...this.running]);
    this.returnHeld();
    await channel?.close().catch(() => undefined);
    await this.loop;
  }

  /** Stops, waiting for running handlers at most `graceMs`; closing the connection then returns the rest. */
  async stopWithin(graceMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.stop(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.returnHeld();
  }

  private returnHeld(): void {
    for (const [timer, giveBack] of this.held) {
      clearTimeout(timer);
      giveBack();
    }
    this.held.clear();
  }
}

/** Settling on a channel that has closed throws; the broker has already returned the message. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // Channel closed: the delivery went back to the queue with it.
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
