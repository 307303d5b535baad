import { describe, expect, it } from 'vitest';
import type { CredentialChanges } from '../../src/application/users/credential-changes.js';
import type { CredentialState, CredentialStore } from '../../src/application/users/credential-store.js';
import { RememberedCredentials } from '../../src/application/users/remembered-credentials.js';
import type { OutboxEntry } from '../../src/application/read-side/event-outbox.js';

/** A feed the test drives: live or not, and changes told by hand. */
class HandFeed implements CredentialChanges {
  isLive = true;
  private readonly listeners: ((userId: string | null) => void)[] = [];
  live(): boolean {
    return this.isLive;
  }
  onChange(listener: (userId: string | null) => void): void {
    this.listeners.push(listener);
  }
  tell(userId: string | null): void {
    for (const listener of this.listeners) listener(userId);
  }
  /** Each `heardEverywhere` asked, held until the test settles it. */
  readonly fences: ((heard: boolean) => void)[] = [];
  heardEverywhere(): Promise<boolean> {
    return new Promise((resolve) => this.fences.push(resolve));
  }
}

/** The write model: states by user, a count of reads, and an optional gate that holds reads back. */
class CountingStore implements CredentialStore {
  readonly states = new Map<string, CredentialState>();
  reads = 0;
  gate: Promise<void> | null = null;
  async stateOf(userId: string): Promise<CredentialState | null> {
    this.reads++;
    const state = this.states.get(userId) ?? null;
    if (this.gate) await this.gate;
    return state;
  }
}

const USER: CredentialState = { role: 'user', tokensValidFrom: null };
const REVOKED: CredentialState = { role: 'user', tokensValidFrom: new Date('2026-12-01T00:00:00Z') };

const setUp = (options: { maxEntries?: number; ttlMs?: number } = {}) => {
  const feed = new HandFeed();
  const store = new CountingStore();
  let now = 0;
  const memory = new RememberedCredentials(store, feed, {
    maxEntries: options.maxEntries ?? 100,
    ttlMs: options.ttlMs ?? 60_000,
    now: () => now,
  });
  return { feed, store, memory, advance: (ms: number) => (now += ms) };
};

describe('remembered credential states', () => {
  it('reads a user once while nothing changes, and again after a change of that user is heard', async () => {
    const { feed, store, memory } = setUp();
    store.states.set('u1', USER).set('u2', USER);
    for (let i = 0; i < 5; i++) expect(await memory.stateOf('u1')).toEqual(USER);
    expect(store.reads).toBe(1);
    await memory.stateOf('u2');
    store.states.set('u1', REVOKED);
    feed.tell('u1');
    expect(await memory.stateOf('u1')).toEqual(REVOKED);
    expect(await memory.stateOf('u2')).toEqual(USER);
    expect(store.reads).toBe(3);
    feed.tell(null);
    expect(memory.size).toBe(0);
  });

  it('asks the write model every time while the feed is not live, and remembers nothing meanwhile', async () => {
    const { feed, store, memory } = setUp();
    store.states.set('u1', USER);
    feed.isLive = false;
    await memory.stateOf('u1');
    await memory.stateOf('u1');
    expect(store.reads).toBe(2);
    expect(memory.size).toBe(0);
  });

  it('does not remember a state read while a change was heard (it may predate the change)', async () => {
    const { feed, store, memory } = setUp();
    store.states.set('u1', USER);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const stale = memory.stateOf('u1');
    // The revocation commits and is announced while the old state is on its way back.
    store.states.set('u1', REVOKED);
    feed.tell('u1');
    store.gate = null;
    open();
    expect(await stale).toEqual(USER);
    expect(memory.size).toBe(0);
    expect(await memory.stateOf('u1')).toEqual(REVOKED);
  });

  it('shares one read among concurrent checks of one user', async () => {
    const { store, memory } = setUp();
    store.states.set('u1', USER);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const checks = Array.from({ length: 10 }, () => memory.stateOf('u1'));
    open();
    expect(await Promise.all(checks)).toEqual(Array.from({ length: 10 }, () => USER));
    expect(store.reads).toBe(1);
  });

  it('does not remember unknown users, expires states after the lifetime, and keeps at most maxEntries', async () => {
    const { store, memory, advance } = setUp({ maxEntries: 2, ttlMs: 1_000 });
    expect(await memory.stateOf('ghost')).toBeNull();
    expect(memory.size).toBe(0);
    for (const id of ['a', 'b', 'c']) store.states.set(id, USER);
    await memory.stateOf('a');
    await memory.stateOf('b');
    await memory.stateOf('a'); // a is now the most recently used
    await memory.stateOf('c');
    expect(memory.size).toBe(2);
    const before = store.reads;
    await memory.stateOf('a');
    expect(store.reads).toBe(before);
    await memory.stateOf('b');
    expect(store.reads).toBe(before + 1);
    advance(1_001);
    await memory.stateOf('a');
    expect(store.reads).toBe(before + 2);
  });

  it('forgets the users of its own commit before the command’s projection sync runs', async () => {
    const { feed, store, memory } = setUp();
    store.states.set('u1', USER).set('u2', USER);
    await memory.stateOf('u1');
    await memory.stateOf('u2');
    const seen: number[] = [];
    const sync = memory.forgettingOwnCommits({ afterCommit: async () => void seen.push(memory.size) });
    const entry = {
      position: 1,
      attempts: 0,
      event: {
        type: 'UserTokensRevoked',
        version: 2,
        payload: { userId: 'u1', username: 'u', email: 'u@x.test', bio: null, image: null, tokensValidFrom: '2026-12-01T00:00:00.000Z' },
      },
    } as unknown as OutboxEntry;
    const done = sync.afterCommit([entry]);
    feed.fences.shift()?.(true);
    await done;
    expect(seen).toEqual([1]);
    await memory.stateOf('u1');
    expect(store.reads).toBe(3);
  });

  it('answers a commit that may change a credential state only once the other processes heard it; a registration does not wait', async () => {
    const { feed, memory } = setUp();
    const entryOf = (type: string, userId: string) =>
      ({
        position: 1,
        attempts: 0,
        event: { type, version: 1, payload: { userId, username: userId, email: `${userId}@x.test`, bio: null, image: null } },
      }) as unknown as OutboxEntry;
    let projected = 0;
    const sync = memory.forgettingOwnCommits({ afterCommit: async () => void projected++ });

    await sync.afterCommit([entryOf('UserRegistered', 'u9')]);
    expect(feed.fences).toHaveLength(0);

    for (const type of ['UserUpdated', 'UserRoleGranted', 'UserRoleRevoked', 'UserTokensRevoked']) {
      let answered = false;
      const done = sync.afterCommit([entryOf(type, 'u1')]).then(() => (answered = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(feed.fences, type).toHaveLength(1);
      expect(answered, `${type} answered before the others heard it`).toBe(false);
      // Unconfirmed (a stuck replica, the bound ran out) still lets the command answer.
      feed.fences.shift()?.(type === 'UserTokensRevoked');
      await done;
      expect(answered).toBe(true);
    }
    expect(projected).toBe(5);
  });
});
