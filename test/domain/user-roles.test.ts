import { describe, expect, it } from 'vitest';
import { Email, tokenStands, User, Username } from '../../src/domain/index.js';

const now = new Date('2026-01-01T00:00:00.250Z');
const later = new Date('2026-01-02T00:00:05.900Z');
const free = { usernameTaken: false, emailTaken: false };

const register = (id = 'u1', username = 'jake') => {
  const user = User.register({
    id,
    username: Username.create(username).unwrap(),
    email: Email.create(`${username}@example.com`).unwrap(),
    passwordHash: 'hash',
    now,
    availability: free,
  }).unwrap();
  user.pullEvents();
  return user;
};

describe('User.changeRole', () => {
  it('lets the operator grant and revoke admin, each recorded as an event of the next version', () => {
    const user = register();
    expect(user.changeRole('admin', { kind: 'operator' }, later).unwrap()).toBe(true);
    expect(user.role).toBe('admin');
    expect(user.changeRole('user', { kind: 'operator' }, later).unwrap()).toBe(true);
    const events = user.pullEvents();
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ['UserRoleGranted', 2],
      ['UserRoleRevoked', 3],
    ]);
    expect(events[0]?.payload).toMatchObject({ userId: 'u1', role: 'admin', changedBy: { kind: 'operator' } });
    expect(events[1]?.payload).toMatchObject({ role: 'user', previousRole: 'admin' });
  });

  it('records nothing when the user already holds the role', () => {
    const user = register();
    expect(user.changeRole('user', { kind: 'operator' }, later).unwrap()).toBe(false);
    expect(user.pullEvents()).toEqual([]);
    expect(user.version).toBe(1);
  });

  it('lets an admin change the role of someone else, naming them in the event', () => {
    const user = register();
    const changed = user.changeRole('admin', { kind: 'user', actor: { userId: 'boss', role: 'admin' } }, later);
    expect(changed.unwrap()).toBe(true);
    expect(user.pullEvents()[0]?.payload).toMatchObject({ changedBy: { kind: 'user', userId: 'boss' } });
  });

  it('refuses a user who is not an admin, and anyone changing their own role, admins included', () => {
    const user = register();
    const byUser = user.changeRole('admin', { kind: 'user', actor: { userId: 'other', role: 'user' } }, later);
    expect(byUser.isErr() && byUser.error).toMatchObject({ kind: 'forbidden', code: 'ROLE.NOT_ADMIN' });
    const self = user.changeRole('admin', { kind: 'user', actor: { userId: 'u1', role: 'user' } }, later);
    expect(self.isErr() && self.error).toMatchObject({ kind: 'forbidden', code: 'ROLE.OWN_ROLE' });
    user.changeRole('admin', { kind: 'operator' }, later).unwrap();
    const selfAdmin = user.changeRole('user', { kind: 'user', actor: { userId: 'u1', role: 'admin' } }, later);
    expect(selfAdmin.isErr() && selfAdmin.error).toMatchObject({ code: 'ROLE.OWN_ROLE' });
    expect(user.role).toBe('admin');
  });
});

describe('token revocation', () => {
  const ms = (date: Date) => date.getTime();

  it('accepts every token until something is revoked', () => {
    const user = register();
    expect(user.tokensValidFrom).toBeNull();
    expect(user.acceptsTokenIssuedAt(0)).toBe(true);
  });

  it('revokeTokens refuses tokens issued up to the revocation, to the millisecond, not those issued after', () => {
    const user = register();
    user.revokeTokens(later);
    expect(user.tokensValidFrom?.toISOString()).toBe('2026-01-02T00:00:05.900Z');
    expect(user.acceptsTokenIssuedAt(ms(later) - 1)).toBe(false);
    // The revocation's own millisecond is refused too: within it, order cannot be told.
    expect(user.acceptsTokenIssuedAt(ms(later))).toBe(false);
    expect(user.acceptsTokenIssuedAt(ms(later) + 1)).toBe(true);
    const [event] = user.pullEvents();
    expect(event).toMatchObject({ type: 'UserTokensRevoked', version: 2, payload: { validFrom: '2026-01-02T00:00:05.900Z' } });
  });

  it('a new password or e-mail revokes; a new bio, image or username does not', () => {
    const bio = register();
    bio.update({ bio: 'hi', image: 'x', username: Username.create('jacob').unwrap() }, free, later).unwrap();
    expect(bio.tokensValidFrom).toBeNull();
    const password = register();
    password.update({ passwordHash: 'other' }, free, later).unwrap();
    expect(password.acceptsTokenIssuedAt(ms(later) - 1)).toBe(false);
    const email = register();
    email.update({ email: Email.create('new@example.com').unwrap() }, free, later).unwrap();
    expect(email.acceptsTokenIssuedAt(ms(later) - 1)).toBe(false);
    const sameEmail = register();
    sameEmail.update({ email: Email.create('jake@example.com').unwrap() }, free, later).unwrap();
    expect(sameEmail.tokensValidFrom).toBeNull();
  });

  it('never moves the instant back', () => {
    const user = register();
    user.revokeTokens(later);
    user.revokeTokens(now);
    expect(user.tokensValidFrom?.toISOString()).toBe('2026-01-02T00:00:05.900Z');
    expect(tokenStands(user.tokensValidFrom, ms(now))).toBe(false);
  });
});
