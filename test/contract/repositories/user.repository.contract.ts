import { beforeEach, describe, expect, it } from 'vitest';
import { Email, Username } from '../../../src/domain/index.js';
import {
  conflictOf,
  drainOutbox,
  minutesAfterT0,
  must,
  newUser,
  pendingEvents,
  pendingSummary,
  saved,
  storedUser,
  T0,
  type OpenWriteSide,
  type WriteSide,
} from './write-side.contract.js';

const free = { usernameTaken: false, emailTaken: false };

/** The definition of UserRepository: every adapter of the port passes this suite. */
export function userRepositoryContract(open: OpenWriteSide): void {
  describe('UserRepository', () => {
    let w: WriteSide;
    beforeEach(async () => {
      w = await open();
    });

    it('stores a registered user and finds it by id, email and username key', async () => {
      const user = newUser({ username: 'Jake.Doe', email: 'jake@example.com' });
      await saved(w.users.save(user));

      expect(user.isNew).toBe(false);
      expect(user.persistedVersion).toBe(1);
      for (const found of [
        await w.users.findById(user.id),
        await w.users.findByEmail('  JAKE@example.com '),
        await w.users.findByUsernameKey(Username.keyOf('JAKE.doe')),
      ]) {
        expect(found?.snapshot()).toEqual(user.snapshot());
        expect(found?.persistedVersion).toBe(1);
        expect(found?.isNew).toBe(false);
      }
    });

    it('finds nothing for unknown or malformed keys', async () => {
      await storedUser(w);
      expect(await w.users.findById('7b1d8f8e-9d3c-4f0a-8a55-1f0c2b3d4e5f')).toBeNull();
      expect(await w.users.findById('not-a-uuid')).toBeNull();
      expect(await w.users.findByEmail('nobody@example.com')).toBeNull();
      expect(await w.users.findByUsernameKey('nobody')).toBeNull();
    });

    it('appends UserRegistered, then UserUpdated, with versions and payloads', async () => {
      const user = newUser({ username: 'jake', email: 'jake@example.com' });
      await saved(w.users.save(user));
      const loaded = await w.users.findById(user.id);
      const changes = { bio: 'I work at statefarm', username: must(Username.create('Jacob')) };
      must(loaded!.update(changes, free, minutesAfterT0(5)));
      await saved(w.users.save(loaded!));

      const events = (await pendingEvents(w)).map((entry) => entry.event);
      expect(events).toEqual([
        {
          type: 'UserRegistered',
          aggregateType: 'User',
          aggregateId: user.id,
          version: 1,
          occurredAt: T0,
          payload: { userId: user.id, username: 'jake', email: 'jake@example.com', bio: null, image: null },
        },
        {
          type: 'UserUpdated',
          aggregateType: 'User',
          aggregateId: user.id,
          version: 2,
          occurredAt: minutesAfterT0(5),
          payload: {
            userId: user.id,
            username: 'Jacob',
            email: 'jake@example.com',
            bio: 'I work at statefarm',
            image: null,
            previousUsername: 'jake',
          },
        },
      ]);
      expect(events[0]?.occurredAt).toBeInstanceOf(Date);
    });

    it('stores an update: new state, new version, the old username key freed', async () => {
      const user = await storedUser(w, { username: 'jake' });
      const loaded = (await w.users.findById(user.id))!;
      must(
        loaded.update(
          {
            username: must(Username.create('Jacob')),
            email: must(Email.create('jacob@example.com')),
            passwordHash: 'new-hash',
            bio: 'bio',
            image: 'https://example.com/jacob.png',
          },
          free,
          minutesAfterT0(1),
        ),
      );
      await saved(w.users.save(loaded));

      const reloaded = await w.users.findById(user.id);
      expect(reloaded?.snapshot()).toEqual(loaded.snapshot());
      expect(reloaded?.version).toBe(2);
      expect(await w.users.findByUsernameKey('jake')).toBeNull();
      expect((await w.users.findByUsernameKey('jacob'))?.id).toBe(user.id);
      expect(await w.users.availability({ usernameKey: 'jake' })).toEqual({ usernameTaken: false, emailTaken: false });
      expect(await w.users.availability({ usernameKey: 'jacob', exceptUserId: user.id })).toMatchObject({
        usernameTaken: false,
      });
    });

    it('answers availability by username key and normalised email, ignoring the asking user', async () => {
      const user = await storedUser(w, { username: 'Jake', email: 'jake@example.com' });
      const of = (wanted: Parameters<typeof w.users.availability>[0]) => w.users.availability(wanted);
      expect(await of({ usernameKey: Username.keyOf('JAKE') })).toEqual({ usernameTaken: true, emailTaken: false });
      expect(await of({ usernameKey: 'jake', exceptUserId: user.id })).toEqual({ usernameTaken: false, emailTaken: false });
      expect(await of({ usernameKey: 'jake', exceptUserId: 'not-a-uuid' })).toMatchObject({ usernameTaken: true });
      expect(await of({ usernameKey: 'someone-else' })).toEqual({ usernameTaken: false, emailTaken: false });
      expect(await of({ email: ' Jake@Example.com ' })).toEqual({ usernameTaken: false, emailTaken: true });
      expect(await of({ email: 'jake@example.com', exceptUserId: user.id })).toMatchObject({ emailTaken: false });
      expect(await of({ usernameKey: 'jake', email: 'other@example.com' })).toEqual({ usernameTaken: true, emailTaken: false });
      expect(await of({})).toEqual({ usernameTaken: false, emailTaken: false });
    });

    it('refuses a username that differs only in case: USER.USERNAME_TAKEN, nothing written', async () => {
      await storedUser(w, { username: 'jake' });
      await drainOutbox(w);
      const rival = newUser({ username: 'JAKE' });

      expect(await conflictOf(w.users.save(rival))).toBe('USER.USERNAME_TAKEN');
      expect(await w.users.findById(rival.id)).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('refuses an email already in use: USER.EMAIL_TAKEN, nothing written', async () => {
      await storedUser(w, { email: 'jake@example.com' });
      await drainOutbox(w);
      const rival = newUser({ email: 'jake@example.com' });

      expect(await conflictOf(w.users.save(rival))).toBe('USER.EMAIL_TAKEN');
      expect(await w.users.findById(rival.id)).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('refuses an update to a username another user holds, leaving the row as it was', async () => {
      await storedUser(w, { username: 'jake' });
      const other = await storedUser(w, { username: 'celeb' });
      await drainOutbox(w);
      const loaded = (await w.users.findById(other.id))!;
      // The availability check raced with the other user: the database has the last word.
      must(loaded.update({ username: must(Username.create('Jake')) }, free, minutesAfterT0(1)));

      expect(await conflictOf(w.users.save(loaded))).toBe('USER.USERNAME_TAKEN');
      expect((await w.users.findById(other.id))?.snapshot()).toEqual(other.snapshot());
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('refuses the second of two racing registrations of one username', async () => {
      const [first, second] = [newUser({ username: 'racer' }), newUser({ username: 'Racer' })];
      const results = await Promise.all([w.users.save(first), w.users.save(second)]);

      expect(results.filter((result) => result.isOk())).toHaveLength(1);
      expect(results.find((result) => result.isErr())?.error).toMatchObject({ code: 'USER.USERNAME_TAKEN' });
      expect(await pendingEvents(w)).toHaveLength(1);
    });

    it('refuses a stale update: CONCURRENT_UPDATE, the first writer wins, no event for the loser', async () => {
      const user = await storedUser(w);
      await drainOutbox(w);
      const [a, b] = [(await w.users.findById(user.id))!, (await w.users.findById(user.id))!];
      must(a.update({ bio: 'from a' }, free, minutesAfterT0(1)));
      must(b.update({ bio: 'from b' }, free, minutesAfterT0(2)));

      await saved(w.users.save(a));
      expect(await conflictOf(w.users.save(b))).toBe('CONCURRENT_UPDATE');
      expect((await w.users.findById(user.id))?.snapshot()).toEqual(a.snapshot());
      expect(await pendingSummary(w)).toEqual([`UserUpdated ${user.id} v2`]);
    });

    it('does nothing for a user with no changes, and nothing for a second save of the same change', async () => {
      const user = await storedUser(w);
      await drainOutbox(w);
      const loaded = (await w.users.findById(user.id))!;
      must(loaded.update({ bio: null, image: null }, free, minutesAfterT0(1)));

      await saved(w.users.save(loaded));
      await saved(w.users.save(user));
      expect(loaded.version).toBe(1);
      expect(await pendingEvents(w)).toEqual([]);
      expect((await w.users.findById(user.id))?.version).toBe(1);
    });

    it('keeps a loaded user apart from the stored one until it is saved', async () => {
      const user = await storedUser(w);
      const loaded = (await w.users.findById(user.id))!;
      must(loaded.update({ bio: 'unsaved' }, free, minutesAfterT0(1)));

      expect((await w.users.findById(user.id))?.snapshot()).toEqual(user.snapshot());
    });

    it('refuses to save again an instance whose save failed (its events are spent): reload instead', async () => {
      await storedUser(w, { username: 'jake' });
      const rival = newUser({ username: 'jake' });
      expect(await conflictOf(w.users.save(rival))).toBe('USER.USERNAME_TAKEN');

      await expect(w.users.save(rival)).rejects.toThrow(/reload/);
      expect(await w.users.findById(rival.id)).toBeNull();
    });
  });
}
