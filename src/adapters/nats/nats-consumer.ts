import { AckPolicy, DeliverPolicy, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import {
  afterFailure,
  beyondLimit,
  failureReason,
  handleWithin,
  retryDelayMs,
  wants,
  type ConsumerSettings,
} from '../../application/integration/delivery-policy.js';
import { parseIntegrationEvent, type IntegrationEvent } from '../../application/integration/integration-events.js';
import type { Delivery } from '../../application/integration/message-bus.js';
import { headerValue, NATS_HEADERS, type NatsNames } from './nats-names.js';

type Handler = (delivery: Delivery) => Promise<void>;

/** How long one pull waits for a message; also the longest `stop()` waits for an idle loop. */
const PULL_EXPIRES_MS = 1000;

/**
 * The durable pull consumer for `settings.name`: created or updated to match the settings.
 *
 * `max_deliver` is left unlimited on purpose: JetStream's own limit drops a message silently
 * (an advisory is all that remains), while this adapter dead-letters it with its reason. A
 * delivery past `maxDeliveries` (the last attempt never settled) is dead-lettered unhandled.
 * `deliver_policy: new` gives a consumer the events published after it was first created,
 * as a RabbitMQ queue does. NATS 2.9 has one filter subject per consumer: several types are
 * filtered here after a pull on every subject.
 */
/**
 * The server's ack wait is the handler's time limit plus this margin: a handler that runs
 * out of time is nak'ed by this process first, so JetStream redelivers it once, not once
 * for the nak and again for its own expired ack wait. The server's timer remains for a
 * consumer that died holding the message.
 */
const SERVER_ACK_MARGIN_MS = 2_000;

export async function ensureNatsConsumer(jsm: JetStreamManager, names: NatsNames, settings: ConsumerSettings): Promise<void> {
  const types = settings.types === null ? [] : [...settings.types];
  const filter = types.length === 1 && types[0] !== undefined ? names.subjectOf(types[0]) : names.eventSubjects;
  const config = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(settings.ackTimeoutMs + SERVER_ACK_MARGIN_MS),
    max_deliver: -1,
    filter_subject: filter,
    max_ack_pending: 10_000,
  };
  const existing = await jsm.consumers.info(names.eventStream, settings.name).catch(() => null);
  if (existing === null)
    await jsm.consumers.add(names.eventStream, { ...config, durable_name: settings.name, deliver_policy: DeliverPolicy.New });
  else if (existing.config.ack_wait !== config.ack_wait || existing.config.filter_subject !== filter)
    await jsm.consumers.update(names.eventStream, settings.name, config);
}

/** One `consume` call: `concurrency` loops, each pulling one message, handling it, settling it. */
export class NatsConsumerInstance {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly names: NatsNames,
    private readonly settings: ConsumerSettings,
    private readonly handle: Handler,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {}

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.names.eventStream, this.settings.name);
    this.loops = Array.from({ length: this.settings.concurrency }, () => this.loop(consumer));
  }

  /** Stops pulling; resolves when every loop has settled its current message. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  /** Stops pulling and waits for running handlers at most `graceMs`; later outcomes are dropped with the connection. */
  async stopWithin(graceMs: number): Promise<void> {
    this.stopped = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(this.loops), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private async loop(consumer: Consumer): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let msg: JsMsg | null;
      try {
        msg = await consumer.next({ expires: PULL_EXPIRES_MS });
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        failures += 1;
        // Broker unreachable, stream or consumer gone: log once in a while, retry with backoff.
        if (failures === 1 || failures % 20 === 0)
          this.logger.warn({ err: error, consumer: this.settings.name }, 'message bus: pulling failed; retrying');
        await sleep(retryDelayMs(failures, { initialMs: 200, maxMs: 5000 }));
        continue;
      }
      if (msg === null) continue;
      if (this.stopped) {
        settle(() => msg.nak());
        break;
      }
      const work = this.process(msg);
      this.running.add(work);
      await work;
      this.running.delete(work);
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    const replayFor = msg.headers?.get(NATS_HEADERS.replayFor) ?? '';
    if (replayFor !== '' && replayFor !== this.settings.name) return settle(() => msg.ack());
    let event: IntegrationEvent;
    try {
      event = parseIntegrationEvent(msg.string());
    } catch (error) {
      this.logger.error({ err: error, subject: msg.subject, seq: msg.seq }, 'message bus: malformed message dropped');
      return settle(() => msg.term());
    }
    if (!wants(this.settings, event.type)) return settle(() => msg.ack());
    const attempt = msg.info.deliveryCount;
    const over = beyondLimit(attempt, this.settings);
    if (over !== null) return this.deadLetter(msg, event, over, attempt - 1);
    const outcome = await handleWithin(() => this.handle({ event, attempt }), this.settings.ackTimeoutMs);
    // Past the ack wait JetStream redelivers anyway; the nak only says so at once.
    if (outcome === 'timeout') return settle(() => msg.nak());
    if (outcome === 'ok') return settle(() => msg.ack());
    const next = afterFailure(attempt, this.settings);
    if (next.action === 'retry') return settle(() => msg.nak(next.delayMs));
    return this.deadLetter(msg, event, failureReason(outcome.error), attempt);
  }

  /**
   * Stores the dead letter (acknowledged by JetStream) before terminating the original, so
   * a crash in between leaves a copy in both places — the dead-letter publish is keyed by
   * the original's stream sequence, so doing it twice stores it once.
   */
  private async deadLetter(msg: JsMsg, event: IntegrationEvent, reason: string, attempts: number): Promise<void> {
    const h = headers();
    h.set(NATS_HEADERS.consumer, this.settings.name);
    h.set(NATS_HEADERS.reason, headerValue(reason));
    h.set(NATS_HEADERS.deadAt, new Date().toISOString());
    h.set(NATS_HEADERS.attempts, String(attempts));
    try {
      await this.js.publish(this.names.deadLetterSubjectOf(this.settings.name), JSON.stringify(event), {
        msgID: `${this.settings.name}:${msg.info.streamSequence}`,
        headers: h,
      });
      settle(() => msg.term());
    } catch (error) {
      this.logger.error({ err: error, consumer: this.settings.name, id: event.id }, 'message bus: dead-lettering failed; will retry');
      settle(() => msg.nak(this.settings.backoff.maxMs));
    }
  }
}

/** Acks and naks are fire-and-forget: one lost with the connection means a redelivery, which consumers tolerate. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // The connection is closed or closing; the broker redelivers after the ack wait.
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
