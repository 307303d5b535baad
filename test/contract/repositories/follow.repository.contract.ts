import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../../src/domain/index.js';
import {
  conflictOf,
  drainOutbox,
  minutesAfterT0,
  newFollow,
  pendingEvents,
  pendingSummary,
  saved,
  storedUser,
  T0,
  type OpenWriteSide,
  type WriteSide,
} from './write-side.contract.js';

/** The definition of FollowRepository: every adapter of the port passes this suite. */
export function followRepositoryContract(open: OpenWriteSide): void {
  describe('FollowRepository', () => {
    let w: WriteSide;
    let jake: User;
    let celeb: User;
    beforeEach(async () => {
      w = await open();
      [jake, celeb] = [await storedUser(w), await storedUser(w)];
      await drainOutbox(w);
    });

    it('stores a follow and finds it by (follower, followee), in that direction only', async () => {
      const follow = newFollow(jake.id, celeb.id);
      await saved(w.follows.save(follow));

      const found = await w.follows.find(jake.id, celeb.id);
      expect(found?.snapshot()).toEqual(follow.snapshot());
      expect(found?.snapshot()).toMatchObject({ active: true, version: 1 });
      expect(await w.follows.find(celeb.id, jake.id)).toBeNull();
      expect(await w.follows.find(jake.id, 'not-a-uuid')).toBeNull();
    });

    it('keeps the pair when unfollowed, and appends UserFollowed then UserUnfollowed', async () => {
      await saved(w.follows.save(newFollow(jake.id, celeb.id)));
      const loaded = (await w.follows.find(jake.id, celeb.id))!;
      loaded.switchTo(false, minutesAfterT0(3));
      await saved(w.follows.save(loaded));

      expect((await w.follows.find(jake.id, celeb.id))?.snapshot()).toEqual({
        followerId: jake.id,
        followeeId: celeb.id,
        active: false,
        version: 2,
        updatedAt: minutesAfterT0(3),
      });
      const payload = { followerId: jake.id, followeeId: celeb.id };
      const aggregateId = `${jake.id}:${celeb.id}`;
      expect((await pendingEvents(w)).map((entry) => entry.event)).toEqual([
        { type: 'UserFollowed', aggregateType: 'Follow', aggregateId, version: 1, occurredAt: T0, payload },
        {
          type: 'UserUnfollowed',
          aggregateType: 'Follow',
          aggregateId,
          version: 2,
          occurredAt: minutesAfterT0(3),
          payload,
        },
      ]);
    });

    it('refuses the second of two new follows of the same pair as a lost race, one event', async () => {
      const results = await Promise.all([
        w.follows.save(newFollow(jake.id, celeb.id)),
        w.follows.save(newFollow(jake.id, celeb.id, minutesAfterT0(1))),
      ]);

      expect(results.filter((result) => result.isOk())).toHaveLength(1);
      expect(results.find((result) => result.isErr())?.error).toMatchObject({ code: 'CONCURRENT_UPDATE' });
      expect(await pendingSummary(w)).toEqual([`UserFollowed ${jake.id}:${celeb.id} v1`]);
    });

    it('refuses a stale switch: CONCURRENT_UPDATE, nothing written', async () => {
      await saved(w.follows.save(newFollow(jake.id, celeb.id)));
      await drainOutbox(w);
      const [a, b] = [(await w.follows.find(jake.id, celeb.id))!, (await w.follows.find(jake.id, celeb.id))!];
      a.switchTo(false, minutesAfterT0(1));
      b.switchTo(false, minutesAfterT0(2));

      await saved(w.follows.save(a));
      expect(await conflictOf(w.follows.save(b))).toBe('CONCURRENT_UPDATE');
      expect((await w.follows.find(jake.id, celeb.id))?.snapshot()).toEqual(a.snapshot());
      expect(await pendingEvents(w)).toHaveLength(1);
    });

    it('does nothing when following again a followed user', async () => {
      await saved(w.follows.save(newFollow(jake.id, celeb.id)));
      await drainOutbox(w);
      const loaded = (await w.follows.find(jake.id, celeb.id))!;
      loaded.switchTo(true, minutesAfterT0(1));

      await saved(w.follows.save(loaded));
      expect(await pendingEvents(w)).toEqual([]);
      expect((await w.follows.find(jake.id, celeb.id))?.version).toBe(1);
    });

    it('answers REFERENCE_GONE for a followee that does not exist, writing nothing', async () => {
      const ghost = randomUUID();
      expect(await conflictOf(w.follows.save(newFollow(jake.id, ghost)))).toBe('REFERENCE_GONE');
      expect(await w.follows.find(jake.id, ghost)).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('looks up a profile with the viewer\'s following, for the answers of commands', async () => {
      expect(await w.profiles.profileOf(celeb.id, jake.id)).toEqual({
        username: celeb.username,
        bio: null,
        image: null,
        following: false,
      });
      await saved(w.follows.save(newFollow(jake.id, celeb.id)));
      expect(await w.profiles.profileOf(celeb.id, jake.id)).toMatchObject({ following: true });
      expect(await w.profiles.profileOf(celeb.id, undefined)).toMatchObject({ following: false });
      expect(await w.profiles.profileOf(jake.id, celeb.id)).toMatchObject({ username: jake.username, following: false });
      expect(await w.profiles.profileOf(randomUUID(), jake.id)).toBeNull();
      expect(await w.profiles.profileOf('not-a-uuid', 'not-a-uuid-either')).toBeNull();
    });
  });
}
