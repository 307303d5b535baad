import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import type { Application } from '../../src/composition/processes.js';
import { loadConfig } from '../../src/config/config.js';
import { FastTestHasher } from '../http/support/client.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { twoReplicasOnPostgres, twoReplicasOnRedis } from '../support/two-replicas.js';
import { SecureApp, type User } from './support/secure-app.js';

const login = async (app: SecureApp, user: User, password = user.password): Promise<string> => {
  const res = await app.request('POST', '/users/login', { body: { user: { email: user.email, password } } });
  expect(res.statusCode).toBe(200);
  return res.json().user.token;
};

describe('token revocation', () => {
  let app: SecureApp;
  beforeEach(async () => {
    app = await SecureApp.start();
  });
  afterEach(() => app.close());

  const status = async (token: string, scheme = 'Token') => (await app.request('GET', '/user', { token, scheme })).statusCode;

  it('POST /api/user/logout-all refuses every token issued before it, this one included; signing in again works', async () => {
    const user = await app.register('jake');
    const phone = await login(app, user);
    expect(await status(phone)).toBe(200);
    const out = await app.request('POST', '/user/logout-all', { token: user.token });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    for (const token of [user.token, phone]) {
      const res = await app.request('GET', '/user', { token });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ errors: { token: ['has been revoked'] } });
      // Refused on routes where a token is optional too, and on writes.
      expect((await app.request('GET', '/articles', { token })).statusCode).toBe(401);
      expect((await app.request('POST', '/articles', { token, body: { article: { title: 't', description: 'd', body: 'b' } } })).statusCode).toBe(401);
    }
    const fresh = await login(app, user);
    expect(await status(fresh)).toBe(200);
    expect(await status(fresh, 'Bearer')).toBe(200);
  });

  it('logout-all needs a token (401 anonymous)', async () => {
    const res = await app.request('POST', '/user/logout-all');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: { token: ['is missing'] } });
  });

  it('a password change revokes every other token; the answer carries a fresh one that works', async () => {
    const user = await app.register('jake');
    const other = await login(app, user);
    const changed = await app.request('PUT', '/user', { token: user.token, body: { user: { password: 'a-new-password' } } });
    expect(changed.statusCode).toBe(200);
    const fresh: string = changed.json().user.token;
    expect(fresh).not.toBe(user.token);
    expect(await status(user.token)).toBe(401);
    expect(await status(other)).toBe(401);
    expect(await status(fresh)).toBe(200);
    expect(await status(await login(app, user, 'a-new-password'))).toBe(200);
  });

  it('an e-mail change revokes too; a bio or username change does not, and a renamed user’s token keeps working', async () => {
    const user = await app.register('jake');
    const other = await login(app, user);
    const renamed = await app.request('PUT', '/user', { token: user.token, body: { user: { username: 'jacob', bio: 'hi' } } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().user.token).toBe(user.token);
    expect(await status(other)).toBe(200);
    const moved = await app.request('PUT', '/user', { token: user.token, body: { user: { email: 'jacob@example.com' } } });
    expect(moved.statusCode).toBe(200);
    expect(await status(other)).toBe(401);
    expect(await status(moved.json().user.token)).toBe(200);
  });

  it('a well-signed token of a user the write model does not know is refused as invalid', async () => {
    const stranger = new JwtTokenService(TEST_JWT_SECRET, 3600).issue('0190a6b2-7c1e-7a3b-9c2d-1e2f3a4b5c6d');
    const res = await app.request('GET', '/user', { token: stranger });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: { token: ['is invalid'] } });
  });
});

describe('JWT secret rotation', () => {
  const OLD = 'the-old-secret-the-old-secret-0123456789';
  let app: SecureApp;
  beforeEach(async () => {
    app = await SecureApp.start({ jwtSecretPrevious: OLD });
  });
  afterEach(() => app.close());

  it('accepts tokens of JWT_SECRET_PREVIOUS and signs new ones with JWT_SECRET only', async () => {
    const user = await app.register('jake');
    const oldToken = new JwtTokenService(OLD, 3600).issue(user.id);
    expect((await app.request('GET', '/user', { token: oldToken })).statusCode).toBe(200);
    expect(new JwtTokenService(TEST_JWT_SECRET, 3600).verify(user.token).ok).toBe(true);
    expect(new JwtTokenService(OLD, 3600).verify(user.token).ok).toBe(false);
    const third = new JwtTokenService('a-third-secret-a-third-secret-0123456789', 3600).issue(user.id);
    expect((await app.request('GET', '/user', { token: third })).statusCode).toBe(401);
  });

  it('refuses a previous secret that is short, equal to the current one, or without a current one', () => {
    expect(() => loadConfig({ JWT_SECRET: TEST_JWT_SECRET, JWT_SECRET_PREVIOUS: 'short' })).toThrow(/JWT_SECRET_PREVIOUS/);
    expect(() => loadConfig({ JWT_SECRET: TEST_JWT_SECRET, JWT_SECRET_PREVIOUS: TEST_JWT_SECRET })).toThrow(/must differ/);
    expect(() => loadConfig({ JWT_SECRET_PREVIOUS: OLD })).toThrow(/needs JWT_SECRET/);
  });
});

/**
 * Two API replicas on one PostgreSQL and one Redis: a revocation through A is refused by
 * B on its very next request, although B had the user's credential state cached.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('revocation across two replicas', () => {
  const replicas = twoReplicasOnRedis('revocation', new FastTestHasher());

  it('B refuses at once what A revoked, though it had the user cached', { timeout: 60_000 }, async () => {
    const { a, b } = replicas;
    expect(b.composition.bindings.Cache).toBe('memory+redis');
    const get = (app: Application, token: string) =>
      app.http.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Token ${token}` } });
    const registered = await a.http.inject({
      method: 'POST',
      url: '/api/users',
      payload: { user: { username: 'jake', email: 'jake@example.com', password: 'password123' } },
    });
    const token: string = registered.json().user.token;
    for (let i = 0; i < 3; i++) expect((await get(b, token)).statusCode).toBe(200);
    const out = await a.http.inject({ method: 'POST', url: '/api/user/logout-all', headers: { authorization: `Token ${token}` } });
    expect(out.statusCode).toBe(204);
    expect((await get(b, token)).statusCode).toBe(401);
    expect((await get(a, token)).statusCode).toBe(401);
  });
});

/**
 * Two replicas on one PostgreSQL without a query cache: each remembers credential states
 * and forgets them on the write model's announcements (ADR 014). Whatever is revoked,
 * demoted or changed through A is refused or seen by B on its next request, every time.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('revocation across two replicas remembering credential states', () => {
  const replicas = twoReplicasOnPostgres('revocation-memo', new FastTestHasher());

  it('B refuses at once what A revoked, though it remembered the user, over 30 rounds', { timeout: 120_000 }, async () => {
    const { a, b } = replicas;
    expect(b.composition.bindings.Credentials).toMatch(/^remembered/);
    const get = (app: Application, token: string) =>
      app.http.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Token ${token}` } });
    const login = async (app: Application) =>
      (
        await app.http.inject({ method: 'POST', url: '/api/users/login', payload: { user: { email: 'jake@example.com', password: 'password123' } } })
      ).json().user.token as string;
    const registered = await a.http.inject({
      method: 'POST',
      url: '/api/users',
      payload: { user: { username: 'jake', email: 'jake@example.com', password: 'password123' } },
    });
    expect(registered.statusCode).toBe(201);
    for (let round = 0; round < 30; round++) {
      const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a];
      const token = await login(reader);
      for (let i = 0; i < 3; i++) expect((await get(reader, token)).statusCode).toBe(200);
      const out = await writer.http.inject({ method: 'POST', url: '/api/user/logout-all', headers: { authorization: `Token ${token}` } });
      expect(out.statusCode).toBe(204);
      expect((await get(reader, token)).statusCode).toBe(401);
      expect((await get(writer, token)).statusCode).toBe(401);
    }
    expect(b.composition.credentials?.size).toBeGreaterThan(0);
  });

  it('answers a revocation only once every listening replica confirmed it heard it (one that is slow holds the answer)', { timeout: 60_000 }, async () => {
    const { a } = replicas;
    const registered = await a.http.inject({
      method: 'POST',
      url: '/api/users',
      payload: { user: { username: 'slowpoke', email: 'slowpoke@example.com', password: 'password123' } },
    });
    const token = registered.json().user.token as string;
    // A third replica by hand: it hears the change and the fence, and confirms when the test says.
    const slow = new pg.Client({ connectionString: replicas.databaseUrl });
    await slow.connect();
    const heard: string[] = [];
    slow.on('notification', (message) => heard.push(message.payload ?? ''));
    await slow.query(`listen conduit_credentials; set application_name = 'conduit-credentials:0123456789ab'`);
    try {
      let answered = false;
      const out = a.http
        .inject({ method: 'POST', url: '/api/user/logout-all', headers: { authorization: `Token ${token}` } })
        .then((res) => ((answered = true), res));
      const fence = async () => {
        for (let i = 0; i < 500; i++) {
          const found = heard.find((payload) => payload.startsWith('fence:'));
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error('no fence heard');
      };
      const [, asker, number] = (await fence()).split(':');
      const change = heard.findIndex((payload) => /^[0-9a-f-]{36}$/.test(payload));
      expect(change, 'the user’s change is announced before the fence').toBeGreaterThanOrEqual(0);
      expect(change).toBeLessThan(heard.findIndex((payload) => payload.startsWith('fence:')));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answered).toBe(false);
      await slow.query('select pg_notify($1, $2)', [`conduit_credentials_heard_${asker}`, `${number}:0123456789ab`]);
      expect((await out).statusCode).toBe(204);
    } finally {
      await slow.end();
    }
  });
});
