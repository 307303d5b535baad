import type { Channel, ConfirmChannel, GetMessage } from 'amqplib';
import { CONSUMER_NAME } from '../../application/integration/delivery-policy.js';
import { parseIntegrationEvent } from '../../application/integration/integration-events.js';
import type { DeadLetter, DeadLetters } from '../../application/integration/message-bus.js';
import { RABBIT_HEADERS, type RabbitNames } from './rabbitmq-topology.js';

/**
 * Dead letters are the messages of the consumer's dead-letter queue: put there by the
 * adapter (reason and attempts in `x-conduit-*` headers) or by the broker when the queue's
 * delivery limit was reached (`x-death`). Listing takes messages without acknowledging them
 * and closes the channel, which puts them back in order; replaying sends a copy straight to
 * the consumer's queue (no other consumer sees it), waits for the broker's confirm, and only
 * then acknowledges the dead letter. Two operators listing at the same moment each see only
 * the letters the other is not holding.
 */
export class RabbitDeadLetters implements DeadLetters {
  constructor(
    private readonly openChannel: () => Promise<Channel>,
    private readonly openConfirmChannel: () => Promise<ConfirmChannel>,
    private readonly names: RabbitNames,
  ) {}

  async list(consumer: string, limit: number): Promise<readonly DeadLetter[]> {
    const queue = this.queueOf(consumer);
    if (!(await this.exists(queue))) return [];
    const channel = await this.openChannel();
    try {
      const letters: DeadLetter[] = [];
      while (letters.length < limit) {
        const msg = await channel.get(queue, { noAck: false });
        if (msg === false) break;
        letters.push(toDeadLetter(msg, consumer));
      }
      return letters;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async replay(consumer: string, ids?: readonly string[]): Promise<number> {
    const queue = this.queueOf(consumer);
    if (!(await this.exists(queue))) return 0;
    const channel = await this.openConfirmChannel();
    try {
      // Only the letters there when replay began: ones dead again meanwhile wait for the next replay.
      const { messageCount } = await channel.checkQueue(queue);
      let count = 0;
      for (let i = 0; i < messageCount; i += 1) {
        const msg = await channel.get(queue, { noAck: false });
        if (msg === false) break;
        const letter = toDeadLetter(msg, consumer);
        if (ids !== undefined && !ids.includes(letter.event.id)) continue;
        channel.sendToQueue(this.names.queueOf(consumer), msg.content, {
          persistent: true,
          messageId: letter.event.id,
          type: letter.event.type,
          contentType: msg.properties.contentType,
          headers: { [RABBIT_HEADERS.replayFor]: consumer },
        });
        await channel.waitForConfirms();
        channel.ack(msg);
        count += 1;
      }
      return count;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** checkQueue on a missing queue closes its channel, so it asks on a throw-away one. */
  private async exists(queue: string): Promise<boolean> {
    const channel = await this.openChannel();
    try {
      await channel.checkQueue(queue);
      return true;
    } catch {
      return false;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private queueOf(consumer: string): string {
    if (!CONSUMER_NAME.test(consumer)) throw new RangeError(`consumer name "${consumer}" must be 1-64 of A-Z a-z 0-9 _ -`);
    return this.names.deadLetterQueueOf(consumer);
  }
}


function toDeadLetter(msg: GetMessage, consumer: string): DeadLetter {
  const headers = msg.properties.headers ?? {};
  const text = (name: string): string | undefined => {
    const value: unknown = headers[name];
    return value === undefined || value === null ? undefined : String(value);
  };
  const brokerReason = text('x-first-death-reason');
  const deathSeconds = headers['x-death']?.[0]?.time?.value;
  return {
    event: parseIntegrationEvent(msg.content.toString('utf8')),
    consumer,
    reason:
      text(RABBIT_HEADERS.reason) ??
      (brokerReason === 'delivery_limit'
        ? 'delivery limit reached by the broker (its consumers stopped before settling it)'
        : `dead-lettered by the broker: ${brokerReason ?? 'unknown'}`),
    deadAt: text(RABBIT_HEADERS.deadAt) ?? (typeof deathSeconds === 'number' ? new Date(deathSeconds * 1000).toISOString() : ''),
    attempts: Number(text(RABBIT_HEADERS.attempts) ?? Number(text('x-delivery-count') ?? 0) + 1),
  };
}
