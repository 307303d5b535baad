import { Container } from 'inversify';
import { Ok, Err } from 'ts-results-es';
import { describe, expect, it, vi } from 'vitest';
import { ActiveGeneration, ensureActiveGeneration } from '../../src/application/read-side/active-generation.js';
import { OutboxAppendOptions, type OutboxEntry } from '../../src/application/read-side/event-outbox.js';
import type { ReadModelChange } from '../../src/application/read-side/read-model-changes.js';
import { ReadModelGenerations } from '../../src/application/read-side/read-model-generations.js';
import type { ReadModelWriter } from '../../src/application/read-side/read-model.writer.js';
import {
  Projector,
  type ProjectionMonitor,
  type ProjectionObserver,
  type ProjectorOptions,
} from '../../src/application/read-side/projector.js';
import { DependencyUnavailable } from '../../src/application/shared/errors.js';
import { AwaitOwnEvents, readYourWrites, type ProjectionSync } from '../../src/application/shared/read-your-writes.js';
import { validationError } from '../../src/domain/index.js';
import { Email, User, Username } from '../../src/domain/index.js';
import { InMemoryEventOutbox } from '../../src/adapters/memory/in-memory-event-outbox.js';
import { InMemoryReadModelGenerations } from '../../src/adapters/memory/in-memory-read-model-generations.js';
import { InMemoryUserRepository } from '../../src/adapters/memory/in-memory-user.repository.js';
import { memoryModule } from '../../src/adapters/memory/memory.module.js';
import { AsyncCommitScope } from '../../src/adapters/system/async-commit-scope.js';
import { LocalOutboxSignals } from '../../src/adapters/memory/local-outbox-signals.js';
import { systemModule } from '../../src/adapters/system/system.module.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const options = (overrides: Partial<ProjectorOptions> = {}): ProjectorOptions => ({
  owner: 'test',
  batchSize: 2,
  leaseMs: 60_000,
  maxAttempts: 3,
  retryDelayMs: 1,
  maxRetryDelayMs: 5,
  // Longer than any test takes to answer its writers: only `acknowledged()` ends it.
  acknowledgeGatherMs: 60_000,
  ...overrides,
});

class RecordingMonitor implements ProjectionMonitor {
  readonly failures: { position: number; retryAt: Date | null }[] = [];
  readonly repaired: string[] = [];
  runs = 0;
  projected = () => undefined;
  projectionFailed(entry: OutboxEntry, _error: unknown, retryAt: Date | null): void {
    this.failures.push({ position: entry.position, retryAt });
  }
  runFailed(): void {
    this.runs += 1;
  }
  readStoreRepaired(generation: string): void {
    this.repaired.push(generation);
  }
}

/** A writer that records the users it applied and fails for the usernames it is told to (a batch all or nothing). */
class FakeWriter implements ReadModelWriter {
  readonly applied: string[] = [];
  readonly batches: number[] = [];
  delayMs = 0;
  /** The store cannot be reached: every call fails as an outage. */
  down = false;
  constructor(readonly failing = new Set<string>()) {}
  async apply(changes: readonly ReadModelChange[]): Promise<void> {
    const names = changes.map((change) => (change.kind === 'user' ? change.user.username : change.kind));
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.down) throw new DependencyUnavailable('read-store');
    const bad = names.find((name) => this.failing.has(name));
    if (bad !== undefined) throw new Error(`cannot project ${bad}`);
    this.batches.push(names.length);
    this.applied.push(...names);
  }
}

/** The in-memory write side and outbox from the memory module; the projector over a fake writer. */
async function setup(failing: string[] = [], opts: Partial<ProjectorOptions> = {}, ownLease: { owner: string; ms: number } | null = null) {
  const container = new Container({ defaultScope: 'Singleton', autobind: true });
  container.load(systemModule(), memoryModule());
  container.bind(OutboxAppendOptions).toConstantValue({ ownLease, awaitMs: 0 });
  const outbox = container.get(InMemoryEventOutbox);
  const users = container.get(InMemoryUserRepository);
  const generations = container.get(InMemoryReadModelGenerations);
  await ensureActiveGeneration(generations);
  await generations.clearReplayFrom();
  const writer = new FakeWriter(new Set(failing));
  const monitor = new RecordingMonitor();
  const observed: string[] = [];
  const observer: ProjectionObserver = {
    applied: async (changes) => {
      observed.push(...changes.map((c) => (c.kind === 'user' ? c.user.username : c.kind)));
    },
    replaced: async () => {
      observed.push('(replaced)');
    },
  };
  const projector = new Projector(
    outbox,
    writer,
    generations,
    new ActiveGeneration(generations),
    observer,
    monitor,
    options(opts),
  );
  const scope = container.get(AsyncCommitScope);
  const save = async (name: string) => {
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
  /** Registers a user and answers the outbox entries its save reported. */
  const register = async (name: string): Promise<readonly OutboxEntry[]> =>
    (await scope.track(() => save(name))).committed;
  return { container, outbox, writer, monitor, observed, projector, register, save, generations };
}

describe('Projector', () => {
  it('applies every committed event in batches (one writer call each) and acknowledges them', async () => {
    const { outbox, writer, projector, register } = await setup();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await register(name);
    await projector.catchUp();
    expect(writer.applied).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(writer.batches).toEqual([2, 2, 1]);
    expect(await outbox.backlog('projector')).toMatchObject({ pending: 0, parked: 0 });
  });

  it('coalesces concurrent catch-ups into at most two runs and still applies everything', async () => {
    const { writer, projector, register } = await setup();
    await register('a');
    const waits = [projector.catchUp(), projector.catchUp(), projector.catchUp()];
    await register('b');
    waits.push(projector.catchUp());
    await Promise.all(waits);
    expect(writer.applied).toEqual(['a', 'b']);
  });

  it('retries a failing event alone with backoff, parks it after the last attempt, and never blocks the others', async () => {
    // Retries far enough apart that one run never meets the same failure twice.
    const { outbox, writer, monitor, projector, register } = await setup(['bad'], { retryDelayMs: 40, maxRetryDelayMs: 80 });
    await register('before');
    await register('bad');
    await register('after');
    await projector.catchUp();
    // The batch [before, bad] failed as a whole, then was applied one by one.
    expect(writer.applied).toEqual(['before', 'after']);
    expect(monitor.failures).toHaveLength(1);
    expect(monitor.failures[0]?.retryAt).toBeInstanceOf(Date);

    for (let i = 0; i < 100 && (await outbox.parked('projector', 10)).length === 0; i++) {
      await sleep(20);
      await projector.catchUp();
    }
    const [parked] = await outbox.parked('projector', 10);
    expect(parked).toMatchObject({ attempts: 3, reason: 'Error: cannot project bad' });
    expect(monitor.failures.map((f) => f.retryAt === null)).toEqual([false, false, true]);
    expect(await outbox.backlog('projector')).toMatchObject({ pending: 0, parked: 1 });

    // Fixed and requeued, it is applied.
    writer.failing.clear();
    await outbox.requeueParked('projector');
    await projector.catchUp();
    expect(writer.applied).toEqual(['before', 'after', 'bad']);
  });

  it('counts no attempt against the events while the read store is unreachable, however long: they are applied once it answers', async () => {
    // One attempt would park an event at its first failure.
    const { outbox, writer, monitor, projector, register } = await setup([], { maxAttempts: 1, leaseMs: 30 }, { owner: 'test', ms: 30 });
    writer.down = true;
    await projector.applyOwn(await register('own'));
    await register('other');
    for (let i = 0; i < 5; i++) {
      await sleep(40);
      await projector.catchUp();
    }
    expect(monitor.failures).toEqual([]);
    expect(monitor.runs).toBeGreaterThanOrEqual(5);
    expect(await outbox.backlog('projector')).toMatchObject({ pending: 2, parked: 0 });

    writer.down = false;
    await sleep(40);
    await projector.catchUp();
    expect([...writer.applied].sort()).toEqual(['other', 'own']);
    expect(await outbox.backlog('projector')).toMatchObject({ pending: 0, parked: 0 });
  });

  it('keeps the replay mark when the read store goes down during a replay, and replays in full once it answers', async () => {
    const { container, writer, monitor, projector, register } = await setup();
    await register('a');
    await register('b');
    await projector.catchUp();
    const generations = container.get<ReadModelGenerations>(ReadModelGenerations);
    await generations.activate((await generations.activeGeneration()) as string, 0);
    writer.down = true;
    await expect(projector.replayMarkedEvents()).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(await generations.replayFrom()).toBe(0);
    expect(monitor.failures).toEqual([]);
    writer.down = false;
    expect(await projector.replayMarkedEvents()).toBe(2);
    expect(await generations.replayFrom()).toBeNull();
  });

  it('tells the observer (the cache) what changed before it acknowledges', async () => {
    const { outbox, observed, projector, register } = await setup();
    await register('a');
    const acknowledge = outbox.acknowledge.bind(outbox);
    const seenAtAcknowledge: string[][] = [];
    outbox.acknowledge = async (subscriber, positions) => {
      seenAtAcknowledge.push([...observed]);
      return acknowledge(subscriber, positions);
    };
    await projector.catchUp();
    expect(seenAtAcknowledge).toEqual([['a']]);
  });

  it('reports an unreachable outbox instead of throwing', async () => {
    const { projector, monitor, outbox } = await setup();
    outbox.claim = async () => {
      throw new Error('database down');
    };
    await expect(projector.catchUp()).resolves.toBeUndefined();
    expect(monitor.runs).toBe(1);
  });

  it('runs as a worker loop woken by the outbox signal, until aborted', async () => {
    const { container, writer, projector, register } = await setup();
    const signals = container.get(LocalOutboxSignals);
    const stop = new AbortController();
    // A minute of idle: only the signal can wake it within the test.
    const loop = projector.runUntil(stop.signal, signals, 60_000);
    await sleep(20);
    await register('x');
    for (let i = 0; i < 200 && writer.applied.length === 0; i++) await sleep(5);
    stop.abort();
    await loop;
    expect(writer.applied).toEqual(['x']);
  });

  it('keeps the leases of a slow batch renewed: nobody else claims its events meanwhile', async () => {
    const { outbox, writer, projector, register } = await setup([], { leaseMs: 150, batchSize: 10 });
    await register('slow');
    writer.delayMs = 500;
    const running = projector.catchUp();
    await sleep(350);
    expect(await outbox.claim('projector', 'other', 10, 60_000)).toEqual([]);
    await running;
    expect(writer.applied).toEqual(['slow']);
  });

  it('applies a writer\'s own events at once from memory; leased to it, nobody else claims them first', async () => {
    const { outbox, writer, projector, register } = await setup([], {}, { owner: 'test', ms: 60_000 });
    const committed = await register('mine');
    expect(await outbox.claim('projector', 'other', 10, 60_000)).toEqual([]);
    await projector.applyOwn(committed);
    expect(writer.applied).toEqual(['mine']);
    await projector.acknowledged();
    expect((await outbox.backlog('projector')).pending).toBe(0);
  });

  it('answers writers before their events leave the outbox, which the events of many groups then do in one acknowledgement', async () => {
    const { outbox, writer, projector, register } = await setup([], {}, { owner: 'test', ms: 60_000 });
    const acknowledgements = vi.spyOn(outbox, 'acknowledge');
    for (const name of ['a', 'b', 'c']) await projector.applyOwn(await register(name));
    expect(writer.batches).toEqual([1, 1, 1]);
    // Applied and answered, not yet acknowledged: still queued, and leased to this process.
    expect(acknowledgements).not.toHaveBeenCalled();
    expect((await outbox.backlog('projector')).pending).toBe(3);
    expect(await outbox.claim('projector', 'other', 10, 60_000)).toEqual([]);
    await projector.acknowledged();
    expect(acknowledgements).toHaveBeenCalledTimes(1);
    expect(acknowledgements.mock.calls[0]?.[1]).toHaveLength(3);
    expect((await outbox.backlog('projector')).pending).toBe(0);
  });

  it('reports a lost acknowledgement; the events are applied again once their leases run out, and are then done', async () => {
    const { outbox, writer, monitor, projector, register } = await setup([], { leaseMs: 30, acknowledgeGatherMs: 1 }, { owner: 'test', ms: 30 });
    vi.spyOn(outbox, 'acknowledge').mockRejectedValueOnce(new Error('connection lost'));
    await projector.applyOwn(await register('mine'));
    await projector.acknowledged();
    expect(monitor.runs).toBe(1);
    expect((await outbox.backlog('projector')).pending).toBe(1);
    await sleep(40);
    await projector.catchUp();
    expect(writer.applied).toEqual(['mine', 'mine']);
    expect((await outbox.backlog('projector')).pending).toBe(0);
  });

  it('groups the own events of writers that commit while a group is applied into the next batch, whole writers only', async () => {
    const { outbox, writer, projector, register } = await setup([], { batchSize: 3 }, { owner: 'test', ms: 60_000 });
    writer.delayMs = 20;
    const first = await register('first');
    const later = [];
    for (const name of ['b', 'c', 'd', 'e']) later.push(await register(name));
    // The first writer's events go at once, alone; the four that commit meanwhile wait for
    // it and then go as batches of at most three events, each writer's events whole.
    const applying = [projector.applyOwn(first), ...later.map((entries) => projector.applyOwn(entries))];
    await Promise.all(applying);
    expect(writer.batches).toEqual([1, 3, 1]);
    expect(writer.applied).toEqual(['first', 'b', 'c', 'd', 'e']);
    await projector.acknowledged();
    expect((await outbox.backlog('projector')).pending).toBe(0);
  });

  it('releases each writer of a group once its batch is applied, and a failing event fails only itself', async () => {
    const { outbox, writer, monitor, projector, register } = await setup(['bad'], { batchSize: 10 }, { owner: 'test', ms: 60_000 });
    writer.delayMs = 10;
    const first = await register('first');
    const bad = await register('bad');
    const good = await register('good');
    let firstDone = false;
    const applying = [
      projector.applyOwn(first).then(() => (firstDone = true)),
      projector.applyOwn(bad).then(() => expect(firstDone).toBe(true)),
      projector.applyOwn(good).then(() => expect(firstDone).toBe(true)),
    ];
    await Promise.all(applying);
    // The group [bad, good] failed as a batch, then was applied event by event.
    expect(writer.applied).toEqual(['first', 'good']);
    expect(monitor.failures).toHaveLength(1);
    await projector.acknowledged();
    expect((await outbox.backlog('projector')).pending).toBe(1);
  });

  it('leaves a writer\'s own event that fails to the retries, without failing the writer', async () => {
    const { outbox, writer, monitor, projector, register } = await setup(['bad'], {}, { owner: 'test', ms: 60_000 });
    const committed = await register('bad');
    await expect(projector.applyOwn(committed)).resolves.toBeUndefined();
    expect(writer.applied).toEqual([]);
    expect(monitor.failures).toHaveLength(1);
    // Released by the failure: due again at its retry time, for any projector.
    expect((await outbox.backlog('projector')).pending).toBe(1);
  });

  it('repairs a read store that lost its data, and replays the outbox into it', async () => {
    const { container, writer, monitor, projector, register } = await setup();
    await register('a');
    await projector.catchUp();
    const generations = container.get<ReadModelGenerations>(ReadModelGenerations);
    (generations as InMemoryReadModelGenerations).loseData((await generations.activeGeneration()) as string);
    await projector.repairReadStore();
    expect(monitor.repaired).toHaveLength(1);
    expect(writer.applied).toEqual(['a', 'a']);
    expect(await generations.replayFrom()).toBeNull();
    await projector.repairReadStore();
    expect(monitor.repaired).toHaveLength(1);
  });
});

describe('read-your-writes', () => {
  const command = (succeed: boolean, scope: AsyncCommitScope, commit: () => Promise<unknown>) =>
    readYourWrites(
      {
        execute: async () => {
          await commit();
          return succeed ? Ok('done') : Err(validationError('X', 'x', 'no'));
        },
      },
      scope,
      { afterCommit: async (entries) => void synced.push(entries.map((e) => e.position)) } satisfies ProjectionSync,
    );
  const synced: number[][] = [];

  it('syncs the projection of exactly the events the command committed, and only on success', async () => {
    const { container, save } = await setup();
    const scope = container.get(AsyncCommitScope);
    synced.length = 0;
    const ok = await command(true, scope, () => save('a')).execute(undefined);
    expect(ok.isOk()).toBe(true);
    expect(synced).toEqual([[1]]);
    await command(false, scope, async () => []).execute(undefined);
    expect(synced).toEqual([[1]]);
  });

  it('with workers, waits for the signal that its own events were projected — and gives up at its bound', async () => {
    const { container, projector, register } = await setup();
    const signals = container.get(LocalOutboxSignals);
    const waits: { projected: boolean }[] = [];
    const sync = new AwaitOwnEvents(signals, 2_000, { waited: (_p, _ms, projected) => void waits.push({ projected }) });
    const committed = await register('a');
    setTimeout(() => void projector.catchUp(), 30);
    await sync.afterCommit(committed);
    expect(waits).toEqual([{ projected: true }]);

    const impatient = new AwaitOwnEvents(signals, 50, { waited: (_p, _ms, projected) => void waits.push({ projected }) });
    await impatient.afterCommit(await register('b'));
    expect(waits).toEqual([{ projected: true }, { projected: false }]);
  });
});
