import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { CONSUMER_NAME, withDeadline } from '../../application/integration/delivery-policy.js';
import { parseIntegrationEvent } from '../../application/integration/integration-events.js';
import type { DeadLetter, DeadLetters } from '../../application/integration/message-bus.js';
import { NATS_HEADERS, type NatsNames } from './nats-names.js';

/**
 * Dead letters live in their own stream, one subject per consumer, the event as the body
 * and why it died in headers. Replay publishes a copy to the events stream marked for that
 * consumer alone (others acknowledge it unhandled), then deletes the dead letter; the copy's
 * message id is derived from the dead letter's sequence, so a replay interrupted between
 * the two steps and run again does not deliver twice within the duplicate window.
 */
export class NatsDeadLetters implements DeadLetters {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: NatsNames,
    private readonly timeoutMs: number,
  ) {}

  async list(consumer: string, limit: number): Promise<readonly DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for await (const stored of this.scan(consumer)) {
      if (letters.length >= limit) break;
      letters.push(toDeadLetter(stored, consumer));
    }
    return letters;
  }

  async replay(consumer: string, ids?: readonly string[]): Promise<number> {
    let count = 0;
    for await (const stored of this.scan(consumer)) {
      const letter = toDeadLetter(stored, consumer);
      if (ids !== undefined && !ids.includes(letter.event.id)) continue;
      const h = headers();
      h.set(NATS_HEADERS.replayFor, consumer);
      await withDeadline(
        this.js.publish(this.names.subjectOf(letter.event.type), stored.data, {
          msgID: `replay:${consumer}:${stored.seq}`,
          headers: h,
          timeout: this.timeoutMs,
        }),
        this.timeoutMs,
        'replay',
      );
      await withDeadline(this.jsm.streams.deleteMessage(this.names.deadLetterStream, stored.seq), this.timeoutMs, 'replay');
      count += 1;
    }
    return count;
  }

  /** The consumer's dead letters in stream order, fetched one by one (direct get, next by subject). */
  private async *scan(consumer: string): AsyncGenerator<StoredMsg> {
    if (!CONSUMER_NAME.test(consumer)) throw new RangeError(`consumer name "${consumer}" must be 1-64 of A-Z a-z 0-9 _ -`);
    const subject = this.names.deadLetterSubjectOf(consumer);
    let seq = 0;
    for (;;) {
      const stored = await withDeadline(
        this.jsm.direct.getMessage(this.names.deadLetterStream, { seq: seq + 1, next_by_subj: subject }),
        this.timeoutMs,
        'reading dead letters',
      );
      if (stored === null) return;
      seq = stored.seq;
      yield stored;
    }
  }
}

function toDeadLetter(stored: StoredMsg, consumer: string): DeadLetter {
  const header = (name: string): string => stored.header.get(name) ?? '';
  return {
    event: parseIntegrationEvent(stored.string()),
    consumer,
    reason: header(NATS_HEADERS.reason),
    deadAt: header(NATS_HEADERS.deadAt),
    attempts: Number(header(NATS_HEADERS.attempts)) || 0,
  };
}
