import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendedTraceContext } from '../../support/write-side-modules.js';
import { Username } from '../../../src/domain/index.js';
import {
  minutesAfterT0,
  must,
  newFollow,
  pendingEvents,
  pendingSummary,
  saved,
  storedArticle,
  storedUser,
  T0,
  type OpenWriteSide,
  type WriteSide,
} from './write-side.contract.js';

const LEASE = 60_000;
const summary = (entries: { event: { type: string; aggregateId: string; version: number } }[]) =>
  entries.map(({ event }) => `${event.type} ${event.aggregateId} v${event.version}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The definition of EventOutbox: every adapter of the port passes this suite. */
export function eventOutboxContract(open: OpenWriteSide): void {
  describe('EventOutbox', () => {
    let w: WriteSide;
    beforeEach(async () => {
      w = await open();
    });

    afterEach(() => {
      appendedTraceContext.value = undefined;
    });

    it('keeps the trace context of the write with each of its events (claims, replays, the commit report)', async () => {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const untraced = await storedUser(w);
      appendedTraceContext.value = traceparent;
      const traced = await storedUser(w);
      const { committed } = await w.commits.track(async () => storedUser(w));
      expect(committed.map((entry) => entry.traceContext)).toEqual([traceparent]);
      const claimed = await w.outbox.claim('projector', 'a', 10, LEASE);
      const contextOf = (id: string) => claimed.find((entry) => entry.event.aggregateId === id)?.traceContext;
      expect(contextOf(traced.id)).toBe(traceparent);
      expect(contextOf(untraced.id)).toBeUndefined();
      expect((await w.outbox.readAfter(0, 10)).map((entry) => entry.traceContext)).toEqual([undefined, traceparent, traceparent]);
    });

    it('counts a backlog up to the limit asked for', async () => {
      for (let i = 0; i < 3; i++) await storedUser(w);
      expect(await w.outbox.backlog('projector', 2)).toMatchObject({ pending: 2, parked: 0 });
      expect((await w.outbox.backlog('projector')).pending).toBe(3);
      expect((await w.outbox.backlog('projector', 2)).oldestAgeMs).toBeGreaterThanOrEqual(0);
    });

    it('is empty in an empty database', async () => {
      expect(await w.outbox.claim('projector', 'a', 100, LEASE)).toEqual([]);
      expect(await w.outbox.lastPosition()).toBe(0);
      expect(await w.outbox.readAfter(0, 10)).toEqual([]);
      expect(await w.outbox.backlog('projector')).toEqual({ pending: 0, oldestAgeMs: null, parked: 0 });
    });

    it('keeps the events of every aggregate in commit order, with increasing positions', async () => {
      const jake = await storedUser(w);
      const celeb = await storedUser(w);
      const article = await storedArticle(w, celeb.id);
      await saved(w.follows.save(newFollow(jake.id, celeb.id)));

      const pending = await pendingEvents(w);
      expect(await pendingSummary(w)).toEqual([
        `UserRegistered ${jake.id} v1`,
        `UserRegistered ${celeb.id} v1`,
        `ArticlePublished ${article.id} v1`,
        `UserFollowed ${jake.id}:${celeb.id} v1`,
      ]);
      const positions = pending.map((entry) => entry.position);
      expect(positions.every(Number.isSafeInteger)).toBe(true);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(positions.length);
      expect(await w.outbox.lastPosition()).toBe(positions.at(-1));
      expect(pending[0]?.event.occurredAt).toEqual(T0);
      expect(pending[0]?.event.occurredAt).toBeInstanceOf(Date);
      expect(pending.every((entry) => entry.attempts === 0)).toBe(true);
      expect((await w.outbox.backlog('projector')).pending).toBe(4);
    });

    it('reports each commit, with its positions, to the commit scope it ran in', async () => {
      const { result, committed } = await w.commits.track(() => storedUser(w));
      const [entry] = await pendingEvents(w);
      expect(committed).toEqual([{ position: entry!.position, event: entry!.event, attempts: 0 }]);
      expect(committed[0]?.event.aggregateId).toBe(result.id);
      // Outside any scope nobody collects, and nothing fails.
      await storedUser(w);
    });

    it('claims at most `limit` due events, oldest first, and never the same ones twice while leased', async () => {
      const users = [await storedUser(w), await storedUser(w), await storedUser(w)];
      const first = await w.outbox.claim('projector', 'a', 2, LEASE);
      expect(first.map((entry) => entry.event.aggregateId)).toEqual([users[0]!.id, users[1]!.id]);
      const second = await w.outbox.claim('projector', 'b', 10, LEASE);
      expect(second.map((entry) => entry.event.aggregateId)).toEqual([users[2]!.id]);
      expect(await w.outbox.claim('projector', 'c', 10, LEASE)).toEqual([]);
    });

    it('hands a dead owner’s events to the next claimer once the lease runs out, and keeps a renewed one', async () => {
      await storedUser(w);
      await storedUser(w);
      const [killed, alive] = await w.outbox.claim('projector', 'owner', 10, 1_000);
      await sleep(600);
      await w.outbox.renew('projector', 'owner', [alive!.position], 5_000);
      // Someone else's renewal does not extend a lease it does not hold.
      await w.outbox.renew('projector', 'stranger', [killed!.position], 5_000);
      expect(await w.outbox.claim('projector', 'other', 10, LEASE)).toHaveLength(0);
      await sleep(600);
      expect((await w.outbox.claim('projector', 'other', 10, LEASE)).map((e) => e.position)).toEqual([killed!.position]);
    });

    it('stops handing out events once acknowledged, whatever the order, and keeps them for replays', async () => {
      const [a, , c] = [await storedUser(w), await storedUser(w), await storedUser(w)];
      const [first, second, third] = await w.outbox.claim('projector', 'a', 10, 1_000);
      await w.outbox.acknowledge('projector', [second!.position]);
      expect((await w.outbox.backlog('projector')).pending).toBe(2);
      await w.outbox.acknowledge('projector', [first!.position, third!.position]);
      expect((await w.outbox.backlog('projector')).pending).toBe(0);

      // Acknowledging again, nothing, or positions that do not exist, changes nothing.
      await w.outbox.acknowledge('projector', [first!.position, second!.position]);
      await w.outbox.acknowledge('projector', []);
      await w.outbox.acknowledge('projector', [third!.position + 1000]);
      await sleep(1_100);
      const later = await storedUser(w);
      expect(summary(await w.outbox.claim('projector', 'b', 10, LEASE))).toEqual([`UserRegistered ${later.id} v1`]);
      expect(summary(await w.outbox.readAfter(0, 10))).toEqual([
        `UserRegistered ${a.id} v1`,
        `UserRegistered ${(await pendingEvents(w))[1]!.event.aggregateId} v1`,
        `UserRegistered ${c.id} v1`,
        `UserRegistered ${later.id} v1`,
      ]);
      expect(summary(await w.outbox.readAfter(third!.position, 10))).toEqual([`UserRegistered ${later.id} v1`]);
    });

    it('retries a failed event when its time comes, counting attempts, and parks it for good', async () => {
      const user = await storedUser(w);
      const [entry] = await w.outbox.claim('projector', 'a', 10, LEASE);
      await w.outbox.fail('projector', 'a', entry!.position, { reason: 'Error: boom', retryAt: new Date(Date.now() + 60_000) });
      // Not due yet, but still to do.
      expect(await w.outbox.claim('projector', 'a', 10, LEASE)).toEqual([]);
      expect((await w.outbox.backlog('projector')).pending).toBe(1);

      await w.outbox.fail('projector', 'a', entry!.position, { reason: 'Error: boom again', retryAt: new Date(Date.now() - 1) });
      const [retried] = await w.outbox.claim('projector', 'b', 10, LEASE);
      expect(retried).toMatchObject({ position: entry!.position, attempts: 2 });

      await w.outbox.fail('projector', 'b', entry!.position, { reason: 'Error: for the last time', retryAt: null });
      expect(await w.outbox.claim('projector', 'c', 10, LEASE)).toEqual([]);
      expect(await w.outbox.backlog('projector')).toMatchObject({ pending: 0, parked: 1 });
      const [parked] = await w.outbox.parked('projector', 10);
      expect(parked).toMatchObject({ position: entry!.position, attempts: 3, reason: 'Error: for the last time' });
      expect(parked?.event.aggregateId).toBe(user.id);
      expect(parked?.parkedAt).toBeInstanceOf(Date);

      expect(await w.outbox.requeueParked('projector')).toBe(1);
      expect(await w.outbox.parked('projector', 10)).toEqual([]);
      expect(await w.outbox.claim('projector', 'd', 10, LEASE)).toMatchObject([{ position: entry!.position, attempts: 0 }]);
    });

    it('does not let a parked or retrying event hold up the events behind it', async () => {
      await storedUser(w);
      const [stuck] = await w.outbox.claim('projector', 'a', 10, LEASE);
      await w.outbox.fail('projector', 'a', stuck!.position, { reason: 'Error: stuck', retryAt: null });
      const next = await storedUser(w);
      expect(summary(await w.outbox.claim('projector', 'a', 10, LEASE))).toEqual([`UserRegistered ${next.id} v1`]);
    });

    it('queues for a new subscriber every event committed after it subscribed, apart from the projector', async () => {
      const before = await storedUser(w);
      await w.outbox.subscribe('relay');
      await w.outbox.subscribe('relay');
      const after = await storedUser(w);
      expect(summary(await w.outbox.claim('relay', 'r', 10, LEASE))).toEqual([`UserRegistered ${after.id} v1`]);
      // The projector's queue is its own: the relay's claim took nothing from it.
      expect(summary(await w.outbox.claim('projector', 'p', 10, LEASE))).toEqual([
        `UserRegistered ${before.id} v1`,
        `UserRegistered ${after.id} v1`,
      ]);
      const [relayed] = await pendingEvents(w).then((all) => all.slice(-1));
      await w.outbox.acknowledge('relay', [relayed!.position]);
      expect((await w.outbox.backlog('relay')).pending).toBe(0);
      expect((await w.outbox.backlog('projector')).pending).toBe(2);
    });

    it('gives each event of one save its own position, in the order they were recorded', async () => {
      const user = await storedUser(w, { username: 'first' });
      const loaded = (await w.users.findById(user.id))!;
      const free = { usernameTaken: false, emailTaken: false };
      must(loaded.update({ bio: 'one' }, free, minutesAfterT0(1)));
      must(loaded.update({ username: must(Username.create('second')) }, free, minutesAfterT0(2)));
      await saved(w.users.save(loaded));

      expect(await pendingSummary(w)).toEqual([
        `UserRegistered ${user.id} v1`,
        `UserUpdated ${user.id} v2`,
        `UserUpdated ${user.id} v3`,
      ]);
      expect((await w.users.findById(user.id))?.version).toBe(3);
    });
  });
}
