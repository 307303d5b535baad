import { describe, expect, it } from 'vitest';
import type { ConduitProjection } from '../../src/application/projections/conduit.projection.js';
import type { OutboxEntry } from '../../src/application/projections/event-outbox.js';
import { Projector, type ProjectionFailureSink, type ProjectorOptions } from '../../src/application/projections/projector.js';
import type { ReadModelStore } from '../../src/application/projections/read-model.store.js';
import { OutboxBarrier } from '../../src/application/projections/read-your-writes.js';
import { InMemoryEventOutbox } from '../../src/adapters/memory/in-memory-event-outbox.js';
import { InMemoryUserRepository } from '../../src/adapters/memory/in-memory-user.repository.js';
import { InMemoryWriteStore } from '../../src/adapters/memory/in-memory-write-store.js';
import type { ConduitEvent } from '../../src/domain/index.js';
import { Email, User, Username } from '../../src/domain/index.js';

const options = (overrides: Partial<ProjectorOptions> = {}): ProjectorOptions => ({
  owner: 'test',
  batchSize: 2,
  leaseMs: 60_000,
  maxAttempts: 3,
  retryDelayMs: 1,
  maxRetryDelayMs: 5,
  ...overrides,
});

class RecordingSink implements ProjectionFailureSink {
  readonly failures: { position: number; retryAt: Date | null }[] = [];
  runs = 0;
  projectionFailed(entry: OutboxEntry, _error: unknown, retryAt: Date | null): void {
    this.failures.push({ position: entry.position, retryAt });
  }
  runFailed(): void {
    this.runs += 1;
  }
}

/** A projection that records what it applied and fails for the usernames it is told to. */
class FakeProjection {
  readonly applied: string[] = [];
  constructor(readonly failing = new Set<string>()) {}
  async apply(event: ConduitEvent): Promise<void> {
    const name = event.type === 'UserRegistered' ? event.payload.username : event.type;
    if (this.failing.has(name)) throw new Error(`cannot project ${name}`);
    this.applied.push(name);
  }
}

const noReplay = { replayFrom: async () => null, clearReplayFrom: async () => {} } as unknown as ReadModelStore;

async function setup(failing: string[] = [], opts: Partial<ProjectorOptions> = {}) {
  const store = new InMemoryWriteStore();
  const outbox = new InMemoryEventOutbox(store);
  const users = new InMemoryUserRepository(store);
  const projection = new FakeProjection(new Set(failing));
  const sink = new RecordingSink();
  const projector = new Projector(outbox, projection as unknown as ConduitProjection, noReplay, sink, options(opts));
  const register = async (name: string) => {
    const user = User.register({
      id: `id-${name}`,
      username: Username.create(name).unwrap(),
      email: Email.create(`${name}@example.com`).unwrap(),
      passwordHash: 'h',
      now: new Date(),
      availability: { usernameTaken: false, emailTaken: false },
    }).unwrap();
    (await users.save(user)).unwrap();
  };
  return { outbox, projection, sink, projector, register };
}

describe('Projector', () => {
  it('applies every committed event in batches and marks them applied', async () => {
    const { outbox, projection, projector, register } = await setup();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await register(name);
    await projector.catchUp();
    expect(projection.applied).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await outbox.projectedThrough(await outbox.lastPosition())).toBe(true);
  });

  it('coalesces concurrent catch-ups into at most two runs and still applies everything', async () => {
    const { projection, projector, register } = await setup();
    await register('a');
    const waits = [projector.catchUp(), projector.catchUp(), projector.catchUp()];
    await register('b');
    waits.push(projector.catchUp());
    await Promise.all(waits);
    expect(projection.applied).toEqual(['a', 'b']);
  });

  it('retries a failing event with backoff, parks it after the last attempt, and never blocks the others', async () => {
    // Retries far enough apart that one run never meets the same failure twice.
    const { outbox, projection, sink, projector, register } = await setup(['bad'], { retryDelayMs: 40, maxRetryDelayMs: 80 });
    await register('before');
    await register('bad');
    await register('after');
    await projector.catchUp();
    expect(projection.applied).toEqual(['before', 'after']);
    expect(sink.failures).toHaveLength(1);
    expect(sink.failures[0]?.retryAt).toBeInstanceOf(Date);

    for (let i = 0; i < 100 && (await outbox.parked(10)).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await projector.catchUp();
    }
    const [parked] = await outbox.parked(10);
    expect(parked).toMatchObject({ attempts: 3, reason: 'Error: cannot project bad' });
    expect(sink.failures.map((f) => f.retryAt === null)).toEqual([false, false, true]);
    expect(await outbox.projectedThrough(await outbox.lastPosition())).toBe(true);

    // Fixed and requeued, it is applied.
    projection.failing.clear();
    await outbox.requeueParked();
    await projector.catchUp();
    expect(projection.applied).toEqual(['before', 'after', 'bad']);
  });

  it('reports an unreachable outbox instead of throwing', async () => {
    const { projector, sink } = await setup();
    (projector as unknown as { outbox: { claim: () => Promise<never> } }).outbox.claim = async () => {
      throw new Error('database down');
    };
    await expect(projector.catchUp()).resolves.toBeUndefined();
    expect(sink.runs).toBe(1);
  });

  it('runs as a worker loop until aborted', async () => {
    const { projection, projector, register } = await setup();
    const stop = new AbortController();
    const loop = projector.runUntil(stop.signal, 5);
    await register('x');
    for (let i = 0; i < 100 && projection.applied.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await loop;
    expect(projection.applied).toEqual(['x']);
  });
});

describe('OutboxBarrier (read-your-writes)', () => {
  it('waits until another process projects the events, then returns', async () => {
    const { outbox, projector, register } = await setup();
    await register('a');
    const timedOut: number[] = [];
    const barrier = new OutboxBarrier(outbox, { timeoutMs: 2_000, pollMs: 5 }, { timedOut: (p) => timedOut.push(p) });
    const waiting = barrier.catchUp();
    setTimeout(() => void projector.catchUp(), 30);
    await waiting;
    expect(await outbox.projectedThrough(await outbox.lastPosition())).toBe(true);
    expect(timedOut).toEqual([]);
  });

  it('gives up after its bound and says so, without throwing', async () => {
    const { outbox, register } = await setup();
    await register('a');
    const timedOut: number[] = [];
    const barrier = new OutboxBarrier(outbox, { timeoutMs: 50, pollMs: 5 }, { timedOut: (p) => timedOut.push(p) });
    const started = Date.now();
    await barrier.catchUp();
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(timedOut).toEqual([1]);
  });
});
