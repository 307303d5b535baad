import { describe, expect, it } from 'vitest';
import { Email, parseBio, parseImage, PlainPassword, User, Username } from '../../src/domain/index.js';

const now = new Date('2026-01-01T00:00:00.000Z');
const later = new Date('2026-01-02T00:00:00.000Z');
const free = { usernameTaken: false, emailTaken: false };

const register = (username = 'Jake', email = 'jake@example.com') =>
  User.register({
    id: 'u1',
    username: Username.create(username).unwrap(),
    email: Email.create(email).unwrap(),
    passwordHash: 'hash',
    now,
    availability: free,
  }).unwrap();

describe('Username', () => {
  it('keeps the spelling but compares case-insensitively', () => {
    const name = Username.create('  Jake.Doe_1 ').unwrap();
    expect(name.value).toBe('Jake.Doe_1');
    expect(name.key).toBe('jake.doe_1');
    expect(Username.keyOf('JAKE.doe_1')).toBe(name.key);
  });

  it.each([
    ['', "can't be blank"],
    ['   ', "can't be blank"],
    ['a b', 'may only contain'],
    ['a/b', 'may only contain'],
    ['x'.repeat(41), 'too long'],
  ])('refuses %j', (raw, message) => {
    const result = Username.create(raw);
    expect(result.isErr()).toBe(true);
    expect(result.isErr() && result.error).toMatchObject({ kind: 'validation', field: 'username' });
    expect(result.isErr() && result.error.message).toContain(message);
  });

  it('accepts letters of any script, combining marks included', () => {
    expect(Username.create('Zoë_Ωμέγα').isOk()).toBe(true);
    expect(Username.create('राम').isOk()).toBe(true);
  });

  it.each(['.', '..', '...'])('refuses %j, which HTTP clients treat as a path segment', (raw) => {
    expect(Username.create(raw).isErr()).toBe(true);
  });
});

describe('Email', () => {
  it('is trimmed and lower-cased', () => {
    expect(Email.create('  Jake@Example.COM ').unwrap().value).toBe('jake@example.com');
  });

  it.each(['', 'jake', 'jake@', '@example.com', 'jake@example', 'ja ke@example.com', `${'a'.repeat(250)}@x.io`, 'ja\u0000ke@example.com', 'ja\uD800ke@example.com'])(
    'refuses %j',
    (raw) => {
      const result = Email.create(raw);
      expect(result.isErr() && result.error).toMatchObject({ kind: 'validation', field: 'email' });
    },
  );
});

describe('PlainPassword', () => {
  it('needs at least 8 and at most 256 characters', () => {
    expect(PlainPassword.create('1234567').isErr()).toBe(true);
    expect(PlainPassword.create('12345678').isOk()).toBe(true);
    expect(PlainPassword.create('x'.repeat(257)).isErr()).toBe(true);
  });
});

describe('bio and image', () => {
  it('treat blank as none', () => {
    expect(parseBio('  ').unwrap()).toBeNull();
    expect(parseImage('').unwrap()).toBeNull();
    expect(parseBio(null).unwrap()).toBeNull();
  });

  it('accept only http(s) images', () => {
    expect(parseImage('https://example.com/a.png').unwrap()).toBe('https://example.com/a.png');
    expect(parseImage('javascript:alert(1)').isErr()).toBe(true);
    expect(parseImage('data:image/png;base64,AAAA').isErr()).toBe(true);
    expect(parseImage('not a url').isErr()).toBe(true);
    expect(parseImage('https://example.com/\u0000.png').isErr()).toBe(true);
  });

  it('bound the bio', () => {
    expect(parseBio('x'.repeat(2001)).isErr()).toBe(true);
  });
});

describe('User', () => {
  it('registers with the user role and records UserRegistered at version 1', () => {
    const user = register();
    expect(user.role).toBe('user');
    expect(user.version).toBe(1);
    expect(user.isNew).toBe(true);
    const events = user.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'UserRegistered',
      aggregateId: 'u1',
      version: 1,
      payload: { userId: 'u1', username: 'Jake', email: 'jake@example.com', bio: null, image: null },
    });
    expect(user.pullEvents()).toHaveLength(0);
  });

  it('refuses a taken username or email', () => {
    const base = {
      id: 'u1',
      username: Username.create('jake').unwrap(),
      email: Email.create('jake@example.com').unwrap(),
      passwordHash: 'h',
      now,
    };
    const byName = User.register({ ...base, availability: { usernameTaken: true, emailTaken: false } });
    expect(byName.isErr() && byName.error.code).toBe('USER.USERNAME_TAKEN');
    const byEmail = User.register({ ...base, availability: { usernameTaken: false, emailTaken: true } });
    expect(byEmail.isErr() && byEmail.error.code).toBe('USER.EMAIL_TAKEN');
  });

  it('updates only what changed and records UserUpdated with the previous username', () => {
    const user = register();
    user.pullEvents();
    user.markPersisted();
    const result = user.update(
      { username: Username.create('jacob').unwrap(), bio: 'hi' },
      free,
      later,
    );
    expect(result.isOk()).toBe(true);
    const [event] = user.pullEvents();
    expect(event).toMatchObject({
      type: 'UserUpdated',
      version: 2,
      payload: { username: 'jacob', bio: 'hi', previousUsername: 'Jake' },
    });
    expect(user.persistedVersion).toBe(1);
  });

  it('records nothing when nothing changes', () => {
    const user = register();
    user.pullEvents();
    expect(user.update({ email: Email.create('JAKE@example.com').unwrap() }, free, later).isOk()).toBe(true);
    expect(user.pullEvents()).toHaveLength(0);
    expect(user.version).toBe(1);
  });

  it('refuses to take a username held by someone else, but ignores availability for its own', () => {
    const user = register();
    const taken = { usernameTaken: true, emailTaken: true };
    const other = user.update({ username: Username.create('celeb').unwrap() }, taken, later);
    expect(other.isErr() && other.error.code).toBe('USER.USERNAME_TAKEN');
    expect(user.update({ username: Username.create('Jake').unwrap() }, taken, later).isOk()).toBe(true);
  });

  it('rehydrates without events', () => {
    const original = register();
    const copy = User.rehydrate(original.snapshot());
    expect(copy.snapshot()).toEqual(original.snapshot());
    expect(copy.pullEvents()).toHaveLength(0);
    expect(copy.isNew).toBe(false);
  });
});
