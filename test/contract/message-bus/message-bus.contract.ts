import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toIntegrationEvent, type IntegrationEvent } from '../../../src/application/integration/integration-events.js';
import type { ConsumerOptions, Delivery, MessageBus, Subscription } from '../../../src/application/integration/message-bus.js';
import type { ConduitEvent } from '../../../src/domain/index.js';

/** One broker (and prefix) for a test file; every `open` is another connection to it, like another process. */
export interface BusFixture {
  open(): Promise<MessageBus>;
  /** Deletes what the run created: the queues of these consumers, streams, exchanges. */
  cleanup(consumers: readonly string[]): Promise<void>;
}

// Long enough for a loaded shared machine, short enough that NATS redeliveries come quickly.
const ACK_TIMEOUT_MS = 2000;
const WAIT_MS = 25_000;
const FAST_RETRY = { initialMs: 50, maxMs: 200 };

const T0 = new Date('2026-03-01T12:00:00.000Z');
const userRegistered = (userId = randomUUID()): IntegrationEvent =>
  toIntegrationEvent({
    type: 'UserRegistered',
    aggregateType: 'User',
    aggregateId: userId,
    version: 1,
    occurredAt: T0,
    payload: { userId, username: `u${userId.slice(0, 8)}`, email: 'x@example.test', bio: null, image: null },
  } satisfies ConduitEvent);
const articlePublished = (articleId = randomUUID()): IntegrationEvent =>
  toIntegrationEvent({
    type: 'ArticlePublished',
    aggregateType: 'Article',
    aggregateId: articleId,
    version: 1,
    occurredAt: T0,
    payload: {
      articleId,
      authorId: randomUUID(),
      slug: `s-${articleId}`,
      title: 'T',
      description: 'D',
      body: 'B',
      tagList: ['a'],
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    },
  } satisfies ConduitEvent);
const articleFavorited = (): IntegrationEvent => {
  const userId = randomUUID();
  const articleId = randomUUID();
  return toIntegrationEvent({
    type: 'ArticleFavorited',
    aggregateType: 'Favorite',
    aggregateId: `${userId}:${articleId}`,
    version: 1,
    occurredAt: T0,
    payload: { userId, articleId },
  } satisfies ConduitEvent);
};

/** Polls until `check` passes (or fails with its last error): waits on behaviour, asserts no timing. */
async function eventually(check: () => void | Promise<void>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

class Recorder {
  readonly deliveries: Delivery[] = [];
  ids(): string[] {
    return this.deliveries.map((d) => d.event.id);
  }
  count(id: string): number {
    return this.ids().filter((seen) => seen === id).length;
  }
  attemptsOf(id: string): number[] {
    return this.deliveries.filter((d) => d.event.id === id).map((d) => d.attempt);
  }
}

/** The definition of the message bus port: every adapter passes this suite. */
export function messageBusContract(setup: () => Promise<BusFixture>): void {
  describe('message bus contract', () => {
    let fixture: BusFixture;
    const consumers: string[] = [];
    const open: MessageBus[] = [];
    const subscriptions: Subscription[] = [];
    const gates: (() => void)[] = [];

    beforeAll(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      gates.splice(0).forEach((release) => release());
      await Promise.all(subscriptions.splice(0).map((s) => s.stop().catch(() => undefined)));
      await Promise.all(open.splice(0).map((bus) => bus.close()));
    });
    afterAll(async () => {
      await fixture?.cleanup(consumers);
    });

    const bus = async (): Promise<MessageBus> => {
      const opened = await fixture.open();
      open.push(opened);
      return opened;
    };
    const consumerName = (): string => {
      const name = `c${randomUUID().slice(0, 8)}`;
      consumers.push(name);
      return name;
    };
    const options = (name: string, extra: Partial<ConsumerOptions> = {}): ConsumerOptions => ({
      name,
      maxDeliveries: 3,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      backoff: FAST_RETRY,
      ...extra,
    });
    const consume = async (on: MessageBus, opts: ConsumerOptions, handle: (d: Delivery) => Promise<void>) => {
      const subscription = await on.consumer.consume(opts, handle);
      subscriptions.push(subscription);
      return subscription;
    };
    const recording = (recorder: Recorder, then: (d: Delivery) => Promise<void> = async () => undefined) =>
      async (delivery: Delivery) => {
        recorder.deliveries.push(delivery);
        await then(delivery);
      };

    it('delivers published events as they were published, first with attempt 1', async () => {
      const b = await bus();
      const seen = new Recorder();
      await consume(b, options(consumerName()), recording(seen));
      const events = [userRegistered(), articlePublished(), articleFavorited()];
      await b.publisher.publish(events);
      await eventually(() => expect(seen.deliveries).toHaveLength(3));
      expect(seen.deliveries.map((d) => d.event).sort((x, y) => x.id.localeCompare(y.id))).toEqual(
        [...events].sort((x, y) => x.id.localeCompare(y.id)),
      );
      expect(seen.deliveries.map((d) => d.attempt)).toEqual([1, 1, 1]);
    });

    it('gives a consumer the events published while none of its instances ran', async () => {
      const name = consumerName();
      const first = await bus();
      const s = await consume(first, options(name), async () => undefined);
      await s.stop();
      const missed = userRegistered();
      await first.publisher.publish([missed]);
      const seen = new Recorder();
      await consume(await bus(), options(name), recording(seen));
      await eventually(() => expect(seen.ids()).toEqual([missed.id]));
    });

    it('acknowledges only handled deliveries: one whose handler was running when its consumer died goes to another instance', async () => {
      const name = consumerName();
      const [done, cut, later] = [userRegistered(), userRegistered(), userRegistered()];
      const dying = await bus();
      const first = new Recorder();
      const hold = gate();
      gates.push(hold.open);
      await consume(dying, options(name), recording(first, (d) => (d.event.id === cut.id ? hold.promise : Promise.resolve())));
      await dying.publisher.publish([done, cut]);
      await eventually(() => expect(first.ids()).toEqual([done.id, cut.id]));

      await dying.close(); // mid-handling: `cut` is never acknowledged
      const second = new Recorder();
      const survivor = await bus();
      await consume(survivor, options(name), recording(second));
      await survivor.publisher.publish([later]);
      await eventually(() => expect(second.ids()).toEqual(expect.arrayContaining([cut.id, later.id])));
      expect(second.count(done.id)).toBe(0);
      expect(Math.min(...second.attemptsOf(cut.id))).toBeGreaterThanOrEqual(2);
    });

    it('stop() lets running handlers finish and acknowledges them', async () => {
      const name = consumerName();
      const slow = userRegistered();
      const b = await bus();
      const hold = gate();
      gates.push(hold.open);
      let finished = false;
      const started = new Recorder();
      const s = await consume(b, options(name), recording(started, async () => {
        await hold.promise;
        finished = true;
      }));
      await b.publisher.publish([slow]);
      await eventually(() => expect(started.ids()).toEqual([slow.id]));
      const stopping = s.stop();
      hold.open();
      await stopping;
      expect(finished).toBe(true);

      const next = userRegistered();
      const after = new Recorder();
      await consume(await bus(), options(name), recording(after));
      await b.publisher.publish([next]);
      await eventually(() => expect(after.ids()).toContain(next.id));
      expect(after.count(slow.id)).toBe(0);
    });

    it('shares the work of one name between instances: every event handled, none by both', async () => {
      const name = consumerName();
      const events = Array.from({ length: 20 }, () => userRegistered());
      const byInstance = [new Recorder(), new Recorder()];
      // The first delivery waits until the other instance has handled one: both must take part.
      let holder: number | null = null;
      const handler = (me: number) =>
        recording(byInstance[me] as Recorder, async () => {
          if (holder !== null) return;
          holder = me;
          await eventually(() => expect(byInstance[1 - me]?.deliveries.length).toBeGreaterThan(0));
        });
      const [a, b] = [await bus(), await bus()];
      await consume(a, options(name, { ackTimeoutMs: 20_000 }), handler(0));
      await consume(b, options(name, { ackTimeoutMs: 20_000 }), handler(1));
      await a.publisher.publish(events);
      const all = () => [...byInstance[0]!.ids(), ...byInstance[1]!.ids()];
      await eventually(() => expect(new Set(all())).toEqual(new Set(events.map((e) => e.id))));
      expect(all()).toHaveLength(events.length);
      expect(byInstance[0]!.deliveries.length).toBeGreaterThan(0);
      expect(byInstance[1]!.deliveries.length).toBeGreaterThan(0);
    });

    it('handles up to `concurrency` deliveries at once in one instance, never more', async () => {
      const events = Array.from({ length: 6 }, () => userRegistered());
      let inFlight = 0;
      let most = 0;
      const seen = new Recorder();
      const b = await bus();
      await consume(b, options(consumerName(), { concurrency: 3, ackTimeoutMs: 20_000 }), recording(seen, async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        // Each waits for two others to run beside it (or gives up): a serial adapter never gets there.
        await eventually(() => expect(most).toBe(3), 5000).catch(() => undefined);
        inFlight -= 1;
      }));
      await b.publisher.publish(events);
      await eventually(() => expect(new Set(seen.ids())).toEqual(new Set(events.map((e) => e.id))));
      expect(most).toBe(3);
    });

    it('does not deliver a republished event (same id) a second time', async () => {
      const once = articlePublished();
      const seen = new Recorder();
      const consumerBus = await bus();
      await consume(consumerBus, options(consumerName()), recording(seen));
      const [first, second] = [await bus(), await bus()];
      await first.publisher.publish([once]);
      await first.publisher.publish([once]);
      await second.publisher.publish([once]); // as a relay that took over after a crash would
      const sentinel = articlePublished();
      await second.publisher.publish([sentinel]);
      await eventually(() => expect(seen.ids()).toContain(sentinel.id));
      expect(seen.count(once.id)).toBe(1);
    });

    it('redelivers a delivery whose handler did not settle within ackTimeoutMs', async () => {
      const stuck = userRegistered();
      const seen = new Recorder();
      const b = await bus();
      const never = gate();
      gates.push(never.open);
      await consume(b, options(consumerName(), { ackTimeoutMs: 1000 }), recording(seen, (d) => (d.attempt === 1 ? never.promise : Promise.resolve())));
      await b.publisher.publish([stuck]);
      await eventually(() => expect(seen.attemptsOf(stuck.id)).toEqual([1, 2]));
    });

    it('dead-letters after maxDeliveries failures with the last error, lists it, and replays it to that consumer only', async () => {
      const [failing, other] = [consumerName(), consumerName()];
      const [poison, fine] = [articlePublished(), articlePublished()];
      const b = await bus();
      let broken = true;
      const seen = new Recorder();
      await consume(b, options(failing, { maxDeliveries: 3 }), recording(seen, async (d) => {
        if (broken && d.event.id === poison.id) throw new Error(`boom on attempt ${d.attempt}`);
      }));
      const bystander = new Recorder();
      await consume(b, options(other), recording(bystander));
      await b.publisher.publish([poison, fine]);

      await eventually(async () => expect(await b.deadLetters.list(failing, 10)).toHaveLength(1));
      const [letter] = await b.deadLetters.list(failing, 10);
      expect(letter).toMatchObject({ event: poison, consumer: failing, attempts: 3 });
      expect(letter?.reason).toContain('boom on attempt 3');
      expect(Number.isNaN(Date.parse(letter?.deadAt ?? ''))).toBe(false);
      expect(seen.attemptsOf(poison.id)).toEqual([1, 2, 3]);
      expect(seen.count(fine.id)).toBe(1);
      expect(await b.deadLetters.list(other, 10)).toEqual([]);
      await eventually(() => expect(bystander.ids()).toEqual(expect.arrayContaining([poison.id, fine.id])));

      expect(await b.deadLetters.replay(failing, ['no-such-id'])).toBe(0);
      expect(await b.deadLetters.list(failing, 10)).toHaveLength(1);
      broken = false;
      expect(await b.deadLetters.replay(failing)).toBe(1);
      await eventually(() => expect(seen.attemptsOf(poison.id)).toEqual([1, 2, 3, 1]));
      expect(await b.deadLetters.list(failing, 10)).toEqual([]);

      const sentinel = userRegistered();
      await b.publisher.publish([sentinel]);
      await eventually(() => expect(bystander.ids()).toContain(sentinel.id));
      expect(bystander.count(poison.id)).toBe(1);
    });

    it('delivers only the types a consumer asks for', async () => {
      const [one, two] = [consumerName(), consumerName()];
      const b = await bus();
      const articlesOnly = new Recorder();
      const articlesAndUsers = new Recorder();
      await consume(b, options(one, { types: ['conduit.article.published.v1'] }), recording(articlesOnly));
      await consume(b, options(two, { types: ['conduit.article.published.v1', 'conduit.user.registered.v1'] }), recording(articlesAndUsers));
      const [user, article, favorite, last] = [userRegistered(), articlePublished(), articleFavorited(), articlePublished()];
      await b.publisher.publish([user, article, favorite, last]);
      await eventually(() => expect(articlesOnly.ids()).toContain(last.id));
      await eventually(() => expect(articlesAndUsers.ids()).toEqual(expect.arrayContaining([user.id, last.id])));
      expect(articlesOnly.ids().sort()).toEqual([article.id, last.id].sort());
      expect(articlesAndUsers.ids().sort()).toEqual([user.id, article.id, last.id].sort());
    });

    it('refuses consumer options that cannot work', async () => {
      const b = await bus();
      await expect(b.consumer.consume(options('has space'), async () => undefined)).rejects.toThrow(RangeError);
      await expect(b.consumer.consume(options(consumerName(), { maxDeliveries: 0 }), async () => undefined)).rejects.toThrow(RangeError);
      await expect(b.consumer.consume(options(consumerName(), { types: [] }), async () => undefined)).rejects.toThrow(RangeError);
    });
  });
}
