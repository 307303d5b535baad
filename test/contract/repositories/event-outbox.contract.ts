import { beforeEach, describe, expect, it } from 'vitest';
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

/** The definition of EventOutbox: every adapter of the port passes this suite. */
export function eventOutboxContract(open: OpenWriteSide): void {
  describe('EventOutbox', () => {
    let w: WriteSide;
    beforeEach(async () => {
      w = await open();
    });

    it('has nothing pending in an empty database', async () => {
      expect(await w.outbox.pending(100)).toEqual([]);
    });

    it('returns the events of every aggregate in commit order, with increasing positions', async () => {
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
      expect(pending[0]?.event.occurredAt).toEqual(T0);
      expect(pending[0]?.event.occurredAt).toBeInstanceOf(Date);
    });

    it('returns at most `limit` events, the oldest first', async () => {
      const users = [await storedUser(w), await storedUser(w), await storedUser(w)];
      const firstTwo = await w.outbox.pending(2);
      expect(firstTwo.map((entry) => entry.event.aggregateId)).toEqual([users[0]!.id, users[1]!.id]);
    });

    it('stops returning events once marked applied, whatever the order they are marked in', async () => {
      const [a, , c] = [await storedUser(w), await storedUser(w), await storedUser(w)];
      const [first, second, third] = await pendingEvents(w);

      await w.outbox.markApplied([second!.position]);
      expect(await pendingSummary(w)).toEqual([`UserRegistered ${a.id} v1`, `UserRegistered ${c.id} v1`]);
      await w.outbox.markApplied([first!.position, third!.position]);
      expect(await pendingEvents(w)).toEqual([]);

      // Marking again, or nothing, or positions that do not exist, changes nothing.
      await w.outbox.markApplied([first!.position, second!.position]);
      await w.outbox.markApplied([]);
      await w.outbox.markApplied([third!.position + 1000]);
      const later = await storedUser(w);
      expect(await pendingSummary(w)).toEqual([`UserRegistered ${later.id} v1`]);
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
