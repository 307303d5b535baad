import { createHmac } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JwtTokenService } from '../../../src/adapters/security/jwt-token-service.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OTHER_SECRET = 'another-secret-that-is-long-enough-9876543210';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token built by hand, so each test controls exactly one thing that is wrong with it. */
function handMade(header: object, payload: object, secret = SECRET): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

const validClaims = () => ({ sub: 'user-1', iss: 'conduit-cqrs', iat: nowSeconds(), exp: nowSeconds() + 60 });

describe('JwtTokenService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('round-trips the user id through an issued token', () => {
    const service = new JwtTokenService(SECRET, 3600);
    const token = service.issue('user-42');
    expect(token.split('.')).toHaveLength(3);
    expect(service.verify(token)).toEqual({ ok: true, claims: { userId: 'user-42' } });
  });

  it('issues HS256 tokens with sub, iss, iat and exp', () => {
    const token = new JwtTokenService(SECRET, 120, 'issuer-x').issue('u');
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'u', iss: 'issuer-x' });
    expect(payload.exp - payload.iat).toBe(120);
  });

  it('accepts a hand-made token with the right secret, algorithm and issuer', () => {
    const service = new JwtTokenService(SECRET, 60);
    expect(service.verify(handMade({ alg: 'HS256', typ: 'JWT' }, validClaims()))).toEqual({
      ok: true,
      claims: { userId: 'user-1' },
    });
  });

  it('refuses an expired token as expired', () => {
    vi.useFakeTimers();
    const service = new JwtTokenService(SECRET, 60);
    const token = service.issue('user-1');
    vi.advanceTimersByTime(61_000);
    expect(service.verify(token)).toEqual({ ok: false, problem: 'expired' });
  });

  it('does not serve an expired token from its verification cache', () => {
    vi.useFakeTimers();
    const service = new JwtTokenService(SECRET, 60);
    const token = service.issue('user-1');
    expect(service.verify(token).ok).toBe(true);
    vi.advanceTimersByTime(61_000);
    expect(service.verify(token)).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses a token whose payload was changed after signing', () => {
    const service = new JwtTokenService(SECRET, 60);
    const [header, , signature] = service.issue('user-1').split('.');
    const forged = `${header}.${b64url({ ...validClaims(), sub: 'admin' })}.${signature}`;
    expect(service.verify(forged)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses a token whose signature was changed', () => {
    const service = new JwtTokenService(SECRET, 60);
    const token = service.issue('user-1');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(service.verify(tampered)).toMatchObject({ ok: false });
  });

  it('refuses a token signed with another secret', () => {
    const foreign = new JwtTokenService(OTHER_SECRET, 60).issue('user-1');
    expect(new JwtTokenService(SECRET, 60).verify(foreign)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses an unsigned token (alg none)', () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validClaims())}.`;
    expect(new JwtTokenService(SECRET, 60).verify(unsigned)).toMatchObject({ ok: false });
  });

  it('refuses another HMAC algorithm even with the right secret', () => {
    const hs512 = createSigner({ key: SECRET, algorithm: 'HS512', iss: 'conduit-cqrs', expiresIn: 60_000 })({
      sub: 'user-1',
    });
    expect(new JwtTokenService(SECRET, 60).verify(hs512)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses a token from another issuer', () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, { ...validClaims(), iss: 'someone-else' });
    expect(new JwtTokenService(SECRET, 60).verify(token)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses tokens without sub or exp', () => {
    const service = new JwtTokenService(SECRET, 60);
    const { sub: _sub, ...noSub } = validClaims();
    const { exp: _exp, ...noExp } = validClaims();
    expect(service.verify(handMade({ alg: 'HS256' }, noSub))).toMatchObject({ ok: false });
    expect(service.verify(handMade({ alg: 'HS256' }, noExp))).toMatchObject({ ok: false });
    expect(service.verify(handMade({ alg: 'HS256' }, { ...validClaims(), sub: 42 }))).toMatchObject({ ok: false });
  });

  it('calls garbage malformed and never throws', () => {
    const service = new JwtTokenService(SECRET, 60);
    for (const garbage of ['', 'abc', 'a.b', 'a.b.c', '....', '%%%.%%%.%%%']) {
      const answer = service.verify(garbage);
      expect(answer.ok).toBe(false);
    }
    expect(service.verify('not-a-jwt')).toEqual({ ok: false, problem: 'malformed' });
  });

  it('refuses a short secret and a non-positive lifetime at construction', () => {
    expect(() => new JwtTokenService('short', 60)).toThrow(/at least 32/);
    expect(() => new JwtTokenService(SECRET, 0)).toThrow();
  });
});
