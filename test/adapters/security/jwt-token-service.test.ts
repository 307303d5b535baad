import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUuid, JwtTokenService } from '../../../src/adapters/security/jwt-token-service.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OTHER_SECRET = 'another-secret-that-is-long-enough-9876543210';
const USER = '0190a6b2-7c1e-7a3b-9c2d-1e2f3a4b5c6d';
const OTHER_USER = '0190a6b2-7c1e-7a3b-9c2d-000000000042';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const decode = (token: string) =>
  token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));

/** A token built by hand, so each test controls exactly one thing that is wrong with it. */
function handMade(header: object, payload: unknown, secret = SECRET): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

const HS256 = { alg: 'HS256', typ: 'JWT' };
const validClaims = () => ({ sub: USER, iss: 'conduit-cqrs', iat: nowSeconds(), exp: nowSeconds() + 60 });

describe('JwtTokenService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('round-trips the user id, the issue time and a token id through an issued token', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:00.750Z') });
    const service = new JwtTokenService(SECRET, 3600);
    const token = service.issue(USER);
    expect(token.split('.')).toHaveLength(3);
    const verified = service.verify(token);
    expect(verified).toEqual({
      ok: true,
      claims: {
        userId: USER,
        issuedAt: Date.parse('2026-03-01T10:00:00Z') / 1000,
        issuedAtMs: Date.parse('2026-03-01T10:00:00.750Z'),
        tokenId: expect.any(String),
      },
    });
    expect(verified.ok && isUuid(verified.claims.tokenId ?? '')).toBe(true);
  });

  it('issues HS256 tokens with sub, iss, iat, exp and a fresh jti each time', () => {
    const service = new JwtTokenService(SECRET, 120, { issuer: 'issuer-x' });
    const [header, payload] = decode(service.issue(USER));
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: USER, iss: 'issuer-x' });
    expect(payload.exp - payload.iat).toBe(120);
    expect(decode(service.issue(USER))[1].jti).not.toBe(payload.jti);
  });

  it('accepts a hand-made token with the right secret, algorithm and issuer, with or without a jti', () => {
    const service = new JwtTokenService(SECRET, 60);
    const claims = validClaims();
    expect(service.verify(handMade(HS256, claims))).toEqual({
      ok: true,
      claims: { userId: USER, issuedAt: claims.iat, issuedAtMs: claims.iat * 1000 },
    });
    expect(service.verify(handMade(HS256, { ...claims, jti: 'id-1' }))).toEqual({
      ok: true,
      claims: { userId: USER, issuedAt: claims.iat, issuedAtMs: claims.iat * 1000, tokenId: 'id-1' },
    });
  });

  it('reads iat_ms only within the signed iat second (else the second’s start)', () => {
    const service = new JwtTokenService(SECRET, 60);
    const claims = validClaims();
    const within = service.verify(handMade(HS256, { ...claims, iat_ms: claims.iat * 1000 + 999 }));
    expect(within.ok && within.claims.issuedAtMs).toBe(claims.iat * 1000 + 999);
    for (const iat_ms of [claims.iat * 1000 + 1000, claims.iat * 1000 - 1, '1', 1.5]) {
      const verified = service.verify(handMade(HS256, { ...claims, iat_ms }));
      expect(verified.ok && verified.claims.issuedAtMs).toBe(claims.iat * 1000);
    }
  });

  it('refuses an expired token as expired', () => {
    vi.useFakeTimers();
    const service = new JwtTokenService(SECRET, 60);
    const token = service.issue(USER);
    vi.advanceTimersByTime(61_000);
    expect(service.verify(token)).toEqual({ ok: false, problem: 'expired' });
  });

  it('does not serve an expired token from its verification cache', () => {
    vi.useFakeTimers();
    const service = new JwtTokenService(SECRET, 60);
    const token = service.issue(USER);
    expect(service.verify(token).ok).toBe(true);
    vi.advanceTimersByTime(61_000);
    expect(service.verify(token)).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses a token whose payload was changed after signing', () => {
    const service = new JwtTokenService(SECRET, 60);
    const [header, , signature] = service.issue(USER).split('.');
    const forged = `${header}.${b64url({ ...validClaims(), sub: OTHER_USER })}.${signature}`;
    expect(service.verify(forged)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses a token whose signature was changed', () => {
    const service = new JwtTokenService(SECRET, 60);
    const token = service.issue(USER);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(service.verify(tampered)).toMatchObject({ ok: false });
  });

  it('refuses a token signed with another secret', () => {
    const foreign = new JwtTokenService(OTHER_SECRET, 60).issue(USER);
    expect(new JwtTokenService(SECRET, 60).verify(foreign)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses a token from another issuer, or with another typ', () => {
    const service = new JwtTokenService(SECRET, 60);
    expect(service.verify(handMade(HS256, { ...validClaims(), iss: 'someone-else' }))).toEqual({ ok: false, problem: 'invalid' });
    expect(service.verify(handMade({ alg: 'HS256', typ: 'at+jwt' }, validClaims()))).toMatchObject({ ok: false });
  });

  it('calls garbage malformed and never throws', () => {
    const service = new JwtTokenService(SECRET, 60);
    for (const garbage of ['', 'abc', 'a.b', 'a.b.c', '....', '%%%.%%%.%%%']) expect(service.verify(garbage).ok).toBe(false);
    expect(service.verify('not-a-jwt')).toEqual({ ok: false, problem: 'malformed' });
  });

  it('refuses weak, equal or short secrets and a non-positive lifetime at construction', () => {
    expect(() => new JwtTokenService('short', 60)).toThrow(/at least 32/);
    expect(() => new JwtTokenService(SECRET, 0)).toThrow();
    expect(() => new JwtTokenService(SECRET, 60, { previousSecret: 'short' })).toThrow(/at least 32/);
    expect(() => new JwtTokenService(SECRET, 60, { previousSecret: SECRET })).toThrow(/differ/);
  });

  it('refuses to issue a token for something that is not a user id', () => {
    const service = new JwtTokenService(SECRET, 60);
    for (const id of ['', 'user-1', `${USER}\u0000`, USER.toUpperCase()]) expect(() => service.issue(id)).toThrow(/malformed user id/);
  });
});

describe('JwtTokenService: secret rotation', () => {
  it('still verifies tokens signed with the previous secret, and signs new ones with the current one', () => {
    const before = new JwtTokenService(OTHER_SECRET, 3600);
    const oldToken = before.issue(USER);
    const rotated = new JwtTokenService(SECRET, 3600, { previousSecret: OTHER_SECRET });
    expect(rotated.verify(oldToken)).toMatchObject({ ok: true, claims: { userId: USER } });
    const newToken = rotated.issue(USER);
    expect(new JwtTokenService(SECRET, 3600).verify(newToken).ok).toBe(true);
    expect(before.verify(newToken)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('stops accepting the previous secret once it is removed', () => {
    const oldToken = new JwtTokenService(OTHER_SECRET, 3600).issue(USER);
    expect(new JwtTokenService(SECRET, 3600).verify(oldToken)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('reports an expired token of the previous secret as expired, and a third secret as invalid', () => {
    vi.useFakeTimers();
    const oldToken = new JwtTokenService(OTHER_SECRET, 60).issue(USER);
    vi.advanceTimersByTime(61_000);
    const rotated = new JwtTokenService(SECRET, 60, { previousSecret: OTHER_SECRET });
    expect(rotated.verify(oldToken)).toEqual({ ok: false, problem: 'expired' });
    const third = new JwtTokenService('a-third-secret-that-is-long-enough-000000', 60).issue(USER);
    expect(rotated.verify(third)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('applies every check to tokens of the previous secret too', () => {
    const rotated = new JwtTokenService(SECRET, 60, { previousSecret: OTHER_SECRET });
    expect(rotated.verify(handMade(HS256, { ...validClaims(), iss: 'x' }, OTHER_SECRET))).toMatchObject({ ok: false });
    expect(rotated.verify(handMade(HS256, { ...validClaims(), sub: 'user-1' }, OTHER_SECRET))).toMatchObject({ ok: false });
    expect(rotated.verify(handMade(HS256, validClaims(), OTHER_SECRET)).ok).toBe(true);
  });
});

describe('JwtTokenService: hostile claims', () => {
  const service = new JwtTokenService(SECRET, 60);
  const refused = (payload: unknown, header: object = HS256) => service.verify(handMade(header, payload));

  it('refuses a sub that is not a user id, whatever it is', () => {
    const subs: unknown[] = [
      42, null, true, ['a'], { id: USER }, '', 'user-1', `${USER}\u0000`, `\u0000${USER}`, `${USER} `, USER.toUpperCase(),
      'x'.repeat(100_000), `${USER}${'0'.repeat(10_000)}`, '00000000-0000-0000-0000-000000000000', '../../etc/passwd',
      "'; drop table users; --",
    ];
    for (const sub of subs) expect(refused({ ...validClaims(), sub }), JSON.stringify(sub).slice(0, 40)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('requires sub, exp, iss and iat', () => {
    for (const claim of ['sub', 'exp', 'iss', 'iat'] as const) {
      const { [claim]: _dropped, ...rest } = validClaims();
      expect(refused(rest), claim).toMatchObject({ ok: false });
    }
  });

  it('refuses an iat that is not a whole number of seconds in the past', () => {
    for (const iat of ['now', -1, 1.5, nowSeconds() + 3600, Number.MAX_SAFE_INTEGER + 2, null])
      expect(refused({ ...validClaims(), iat }), String(iat)).toMatchObject({ ok: false });
    expect(refused({ ...validClaims(), iat: nowSeconds() + 10 }).ok).toBe(true);
  });

  it('refuses a jti that is not a short string', () => {
    for (const jti of [42, '', 'x'.repeat(65), ['a'], null])
      expect(refused({ ...validClaims(), jti }), JSON.stringify(jti)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses payloads that are not claim objects', () => {
    for (const payload of ['x', 42, [validClaims()], null]) expect(refused(payload), JSON.stringify(payload)).toMatchObject({ ok: false });
  });

  it('refuses alg none, and a none header on a real signature', () => {
    const input = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validClaims())}`;
    expect(service.verify(`${input}.`)).toMatchObject({ ok: false });
    expect(refused(validClaims(), { alg: 'none', typ: 'JWT' })).toMatchObject({ ok: false });
  });

  it('refuses RS256 tokens: properly signed, or HMAC-signed with the secret', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(validClaims())}`;
    const signed = `${input}.${rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(service.verify(signed)).toEqual({ ok: false, problem: 'invalid' });
    expect(refused(validClaims(), { alg: 'RS256', typ: 'JWT' })).toEqual({ ok: false, problem: 'invalid' });
    expect(refused(validClaims(), { alg: 'ES256', typ: 'JWT' })).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses another HMAC algorithm even with the right secret', () => {
    const hs512 = createSigner({ key: SECRET, algorithm: 'HS512', iss: 'conduit-cqrs', expiresIn: 60_000 })({ sub: USER });
    expect(service.verify(hs512)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses unknown critical header extensions', () => {
    expect(refused(validClaims(), { ...HS256, crit: ['exp'], exp: 1 })).toMatchObject({ ok: false });
  });
});
