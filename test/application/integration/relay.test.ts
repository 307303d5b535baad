import { describe, expect, it, vi } from 'vitest';
import type { IntegrationEvent } from '../../../src/application/integration/integration-events.js';
import { MessageBusError, type MessagePublisher } from '../../../src/application/integration/message-bus.js';
import { OutboxRelay, type RelayMonitor, type RelayOptions } from '../../../src/application/integration/relay.js';
import { EventOutbox } from '../../../src/application/read-side/event-outbox.js';
import { UserRepository } from '../../../src/application/users/user.repository.js';
import { Email, User, Username } from '../../../src/domain/index.js';
import { LocalOutboxSignals } from '../../../src/adapters/memory/local-outbox-signals.js';
import { writeSideIn } from '../../support/write-side-modules.js';

/** A broker that can be switched off: while down, every publish is refused, as an unreachable broker's would be. */
class SwitchablePublisher implements MessagePublisher {
  down = false;
  readonly accepted: IntegrationEvent[] = [];
  /** How many events each accepted publish carried. */
  readonly batches: number[] = [];
  refusals = 0;

  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    if (this.down) {
      this.refusals += 1;
      throw new MessageBusError('broker unreachable');
    }
    this.accepted.push(...events);
    this.batches.push(events.length);
  }
}

class QuietMonitor implements RelayMonitor {
  readonly failures: number[] = [];
  published(): void {}
  publishFailed(_error: unknown, refusals: number): void {
    this.failures.push(refusals);
  }
  unpublishable(): void {}
  runFailed(error: unknown): void {
    throw error;
  }
}

const options = (owner: string, overrides: Partial<RelayOptions> = {}): RelayOptions => ({
  owner,
  batchSize: 3,
  leaseMs: 60_000,
  initialBackoffMs: 1,
  maxBackoffMs: 5,
  idleMs: 10,
  gatherMs: 1,
  ...overrides,
});

function setup() {
  const { container } = writeSideIn('memory');
  const outbox = container.get<EventOutbox>(EventOutbox);
  const signals = container.get(LocalOutboxSignals);
  const users = container.get<UserRepository>(UserRepository);
  const publisher = new SwitchablePublisher();
  const monitor = new QuietMonitor();
  const relay = (owner = 'relay-a', overrides: Partial<RelayOptions> = {}) =>
    new OutboxRelay(outbox, publisher, monitor, options(owner, overrides));
  const register = async (name: string) => {
    const user = User.register({
      id: `00000000-0000-4000-8000-${name.padStart(12, '0')}`,
      username: Username.create(`u${name}`).unwrap(),
      email: Email.create(`u${name}@example.com`).unwrap(),
      passwordHash: 'h',
      now: new Date(),
      availability: { usernameTaken: false, emailTaken: false },
    }).unwrap();
    (await users.save(user)).unwrap();
  };
  return { outbox, publisher, monitor, relay, register, signals };
}

describe('OutboxRelay', () => {
  it('publishes every event committed after it subscribed, in batches, as CloudEvents with stable ids; then its queue is empty', async () => {
    const { outbox, publisher, relay, register } = setup();
    await register('1');
    const a = relay();
    await a.subscribe();
    for (const name of ['2', '3', '4', '5', '6', '7', '8']) await register(name);
    expect(await a.drain()).toBe(7);
    expect(publisher.accepted.map((e) => e.subject)).toEqual(
      ['2', '3', '4', '5', '6', '7', '8'].map((n) => `users/00000000-0000-4000-8000-${n.padStart(12, '0')}`),
    );
    expect(publisher.accepted[0]).toMatchObject({ specversion: '1.0', type: 'conduit.user.registered.v1', aggregateversion: 1 });
    expect(publisher.accepted[0]?.data).not.toHaveProperty('email');
    expect(await outbox.backlog('relay')).toMatchObject({ pending: 0, parked: 0 });
    expect(await a.lagSeconds()).toBe(0);
  });

  it('keeps the batch through a broker outage, backing off, and publishes it once the broker answers', async () => {
    const { outbox, publisher, monitor, relay, register } = setup();
    const a = relay();
    await a.subscribe();
    await register('1');
    await register('2');
    publisher.down = true;
    const draining = a.drain();
    while (publisher.refusals < 5) await new Promise((resolve) => setTimeout(resolve, 2));
    // Nothing acknowledged meanwhile: the events are still in the relay's queue, and its lag is visible.
    expect((await outbox.backlog('relay')).pending).toBe(2);
    expect(await a.lagSeconds()).toBeGreaterThanOrEqual(0);
    publisher.down = false;
    expect(await draining).toBe(2);
    expect(publisher.accepted).toHaveLength(2);
    expect(monitor.failures.slice(0, 3)).toEqual([1, 2, 3]);
    expect((await outbox.backlog('relay')).pending).toBe(0);
  });

  it('pauses after a batch, so that the events committed meanwhile go out together: one claim and one acknowledgement for them all', async () => {
    const { outbox, publisher, relay, register, signals } = setup();
    const a = relay('relay-a', { batchSize: 10, gatherMs: 200 });
    await a.subscribe();
    const claims = vi.spyOn(outbox, 'claim');
    const acknowledgements = vi.spyOn(outbox, 'acknowledge');
    const until = async (published: number) => {
      while (publisher.accepted.length < published) await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const stop = new AbortController();
    const running = a.runUntil(stop.signal, signals);
    // Looked, found nothing, waits for the signal.
    while (claims.mock.calls.length < 1) await new Promise((resolve) => setTimeout(resolve, 2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await register('1');
    await until(1);
    // Committed while the relay pauses after its first batch: woken by none of them, it
    // takes all three with its next look.
    for (const name of ['2', '3', '4']) await register(name);
    await until(4);
    stop.abort();
    await running;
    expect(publisher.batches).toEqual([1, 3]);
    // The first look found nothing yet; then one claim and one acknowledgement per batch.
    expect(claims).toHaveBeenCalledTimes(3);
    expect(acknowledgements).toHaveBeenCalledTimes(2);
    expect((await outbox.backlog('relay')).pending).toBe(0);
  });

  it('lets relays share the queue: a relay that stops during an outage leaves its batch to another once the lease runs out', async () => {
    const { publisher, relay, register } = setup();
    const dying = relay('relay-dying', { leaseMs: 50 });
    await dying.subscribe();
    for (const name of ['1', '2', '3', '4']) await register(name);
    publisher.down = true;
    const stop = new AbortController();
    const abandoned = dying.drain(stop.signal);
    while (publisher.refusals < 1) await new Promise((resolve) => setTimeout(resolve, 2));
    stop.abort();
    expect(await abandoned).toBe(0);
    publisher.down = false;
    const survivor = relay('relay-survivor');
    // The survivor takes the unleased event at once, the abandoned batch when its lease has run out.
    let published = await survivor.drain();
    while (published < 4) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      published += await survivor.drain();
    }
    expect(new Set(publisher.accepted.map((e) => e.id)).size).toBe(4);
  });
});
