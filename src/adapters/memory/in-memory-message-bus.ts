import type { IntegrationEvent } from '../../application/integration/integration-events.js';
import {
  MessageBusError,
  type ConsumerOptions,
  type DeadLetter,
  type DeadLetters,
  type Delivery,
  type MessageBus,
  type MessageConsumer,
  type MessagePublisher,
  type Subscription,
} from '../../application/integration/message-bus.js';
import {
  afterFailure,
  beyondLimit,
  consumerSettings,
  failureReason,
  handleWithin,
  RecentIds,
  wants,
  type ConsumerSettings,
} from '../../application/integration/delivery-policy.js';

type Handler = (delivery: Delivery) => Promise<void>;

interface Entry {
  readonly seq: number;
  readonly event: IntegrationEvent;
  deliveries: number;
  readyAt: number;
}

/** One durable consumer: its queue, its dead letters and the instances sharing its work. */
class Group {
  readonly ready: Entry[] = [];
  readonly dead: DeadLetter[] = [];
  readonly instances: Instance[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private turn = 0;

  constructor(public settings: ConsumerSettings) {}

  enqueue(entry: Entry): void {
    const at = this.ready.findIndex((other) => other.seq > entry.seq);
    this.ready.splice(at === -1 ? this.ready.length : at, 0, entry);
    this.dispatch();
  }

  /** Hands due entries to instances with free slots, taking turns between instances. */
  dispatch(): void {
    for (;;) {
      const now = Date.now();
      const index = this.ready.findIndex((entry) => entry.readyAt <= now);
      const instance = this.nextFree();
      if (index === -1 || instance === null) break;
      const [entry] = this.ready.splice(index, 1);
      if (entry !== undefined) instance.deliver(entry);
    }
    this.scheduleNextDue();
  }

  private nextFree(): Instance | null {
    for (let i = 0; i < this.instances.length; i += 1) {
      const instance = this.instances[(this.turn + i) % this.instances.length];
      if (instance?.hasFreeSlot()) {
        this.turn = (this.turn + i + 1) % this.instances.length;
        return instance;
      }
    }
    return null;
  }

  private scheduleNextDue(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const later = this.ready.map((entry) => entry.readyAt).filter((at) => at > Date.now());
    if (later.length === 0 || this.instances.length === 0) return;
    this.timer = setTimeout(() => this.dispatch(), Math.min(...later) - Date.now());
    this.timer.unref?.();
  }

  deadLetter(entry: Entry, reason: string, attempts: number): void {
    this.dead.push({ event: entry.event, consumer: this.settings.name, reason, deadAt: new Date().toISOString(), attempts });
  }
}

/** One `consume` call: at most `concurrency` deliveries at a time, each settled once. */
class Instance {
  private readonly running = new Set<{ readonly entry: Entry; settled: boolean; readonly done: Promise<void> }>();
  private stopped = false;

  constructor(
    private readonly group: Group,
    private readonly settings: ConsumerSettings,
    private readonly handle: Handler,
  ) {}

  hasFreeSlot(): boolean {
    return !this.stopped && this.running.size < this.settings.concurrency;
  }

  deliver(entry: Entry): void {
    entry.deliveries += 1;
    const attempt = entry.deliveries;
    if (!wants(this.settings, entry.event.type)) return;
    const over = beyondLimit(attempt, this.settings);
    if (over !== null) {
      this.group.deadLetter(entry, over, attempt - 1);
      return;
    }
    const run = { entry, settled: false, done: Promise.resolve() };
    this.running.add(run);
    run.done = handleWithin(() => this.handle({ event: entry.event, attempt }), this.settings.ackTimeoutMs).then((outcome) => {
      if (run.settled) return;
      run.settled = true;
      this.running.delete(run);
      if (outcome === 'timeout') this.requeue(entry, 0);
      else if (outcome !== 'ok') {
        const next = afterFailure(attempt, this.settings);
        if (next.action === 'retry') this.requeue(entry, next.delayMs);
        else this.group.deadLetter(entry, failureReason(outcome.error), attempt);
      }
      this.group.dispatch();
    });
  }

  private requeue(entry: Entry, delayMs: number): void {
    entry.readyAt = Date.now() + delayMs;
    this.group.enqueue(entry);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running].map((run) => run.done));
    this.detach();
  }

  /** Like a killed process: deliveries still running go back to the queue unacknowledged. */
  abandon(): void {
    this.stopped = true;
    for (const run of this.running) {
      run.settled = true;
      this.running.delete(run);
      this.requeue(run.entry, 0);
    }
    this.detach();
  }

  private detach(): void {
    const at = this.group.instances.indexOf(this);
    if (at !== -1) this.group.instances.splice(at, 1);
    this.group.dispatch();
  }
}

/**
 * The broker that in-memory buses share (one per test, or per process): every bus opened on
 * it is like another connection to the same server. Ids are de-duplicated exactly within a
 * window of the last 100 000 published.
 */
export class InMemoryBroker {
  private readonly published = new RecentIds(100_000);
  private readonly groups = new Map<string, Group>();
  private seq = 0;

  publish(events: readonly IntegrationEvent[]): void {
    for (const event of events) {
      if (this.published.has(event.id)) continue;
      this.published.add(event.id);
      this.fanOut(event, null);
    }
  }

  group(settings: ConsumerSettings): Group {
    const existing = this.groups.get(settings.name);
    if (existing !== undefined) {
      existing.settings = settings;
      return existing;
    }
    const group = new Group(settings);
    this.groups.set(settings.name, group);
    return group;
  }

  deadLettersOf(consumer: string): DeadLetter[] {
    return this.groups.get(consumer)?.dead ?? [];
  }

  replay(consumer: string, ids?: readonly string[]): number {
    const group = this.groups.get(consumer);
    if (group === undefined) return 0;
    const chosen = group.dead.filter((letter) => ids === undefined || ids.includes(letter.event.id));
    for (const letter of chosen) group.dead.splice(group.dead.indexOf(letter), 1);
    for (const letter of chosen) this.fanOut(letter.event, group);
    return chosen.length;
  }

  private fanOut(event: IntegrationEvent, only: Group | null): void {
    this.seq += 1;
    for (const group of only === null ? this.groups.values() : [only])
      if (only !== null || wants(group.settings, event.type))
        group.enqueue({ seq: this.seq, event, deliveries: 0, readyAt: 0 });
  }
}

/** A message bus in memory, with the same delivery rules as the broker adapters. */
export class InMemoryMessageBus implements MessageBus {
  readonly kind = 'memory' as const;
  private readonly instances = new Set<Instance>();
  private closed = false;

  readonly publisher: MessagePublisher = {
    publish: async (events) => {
      this.ensureOpen();
      // A structured clone, as a broker would hand over: a consumer must not share objects with the publisher.
      this.broker.publish(structuredClone(events));
    },
  };

  readonly consumer: MessageConsumer = {
    consume: async (options: ConsumerOptions, handle: Handler): Promise<Subscription> => {
      this.ensureOpen();
      const settings = consumerSettings(options);
      const group = this.broker.group(settings);
      const instance = new Instance(group, settings, handle);
      this.instances.add(instance);
      group.instances.push(instance);
      group.dispatch();
      return {
        stop: async () => {
          this.instances.delete(instance);
          await instance.stop();
        },
      };
    },
  };

  readonly deadLetters: DeadLetters = {
    list: async (consumer, limit) => this.broker.deadLettersOf(consumer).slice(0, limit),
    replay: async (consumer, ids) => this.broker.replay(consumer, ids),
  };

  constructor(
    private readonly broker: InMemoryBroker = new InMemoryBroker(),
    private readonly shutdownGraceMs = 10_000,
  ) {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const instances = [...this.instances];
    this.instances.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.shutdownGraceMs)));
    await Promise.race([Promise.all(instances.map((instance) => instance.stop())), grace]);
    clearTimeout(timer);
    for (const instance of instances) instance.abandon();
  }

  private ensureOpen(): void {
    if (this.closed) throw new MessageBusError('the message bus is closed');
  }
}
