import { createSigner } from 'fast-jwt';
import { afterEach, describe, expect, it } from 'vitest';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { FAKE_SECRET, startFakeApp, type FakeApp, USER_ID } from './support/fake-deps.js';

describe('HTTP authentication', () => {
  let fake: FakeApp;
  afterEach(async () => {
    await fake?.app.close();
  });

  const expired = () =>
    createSigner({ key: FAKE_SECRET, algorithm: 'HS256', iss: 'conduit-cqrs', expiresIn: 60_000, clockTimestamp: Date.now() - 3_600_000 })({
      sub: USER_ID,
    });

  const requiredRoutes: [string, string][] = [
    ['GET', '/api/user'],
    ['PUT', '/api/user'],
    ['POST', '/api/profiles/jake/follow'],
    ['DELETE', '/api/profiles/jake/follow'],
    ['GET', '/api/articles/feed'],
    ['POST', '/api/articles'],
    ['PUT', '/api/articles/a-slug'],
    ['DELETE', '/api/articles/a-slug'],
    ['POST', '/api/articles/a-slug/favorite'],
    ['DELETE', '/api/articles/a-slug/favorite'],
    ['POST', '/api/articles/a-slug/comments'],
    ['DELETE', '/api/articles/a-slug/comments/1'],
  ];

  it.each(requiredRoutes)('%s %s without a token → 401 "token is missing"', async (method, url) => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: method as 'GET', url, payload: method === 'GET' ? undefined : {} });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: { token: ['is missing'] } });
    expect(res.headers['www-authenticate']).toBe('Token');
  });

  const optionalRoutes: [string, string][] = [
    ['GET', '/api/articles'],
    ['GET', '/api/articles/a-slug'],
    ['GET', '/api/articles/a-slug/comments'],
    ['GET', '/api/profiles/jake'],
    ['GET', '/api/tags'],
  ];

  it.each([
    ['/api/users/login', { user: { email: 'a@b.c', password: 'password' } }],
    ['/api/users', { user: { username: 'someone', email: 'a@b.c', password: 'password' } }],
  ])('POST %s ignores a stale token, so its user can sign in again', async (url, payload) => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: 'POST', url, headers: { authorization: `Token ${expired()}` }, payload });
    expect(res.statusCode).not.toBe(401);
    expect(res.statusCode).toBeLessThan(300);
  });

  it.each(optionalRoutes)('%s %s with an invalid token → 401, not anonymous', async (method, url) => {
    fake = await startFakeApp();
    const res = await fake.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: 'Token not.a.jwt' },
      payload: method === 'GET' ? undefined : { user: { email: 'a@b.c', password: 'password' } },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().errors.token).toHaveLength(1);
  });

  it.each(optionalRoutes.filter(([m]) => m === 'GET'))('%s %s works anonymously', async (method, url) => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: method as 'GET', url });
    expect(res.statusCode).toBe(200);
  });

  it('passes the signed-in user as viewer on optional-auth routes', async () => {
    fake = await startFakeApp();
    await fake.app.inject({ method: 'GET', url: '/api/articles/a-slug', headers: { authorization: `Token ${fake.token}` } });
    // A signed-in reader may be the writer: never answered from stamps that may lag (ADR 015).
    expect(fake.useCases.getArticle.execute).toHaveBeenCalledWith({ slug: 'a-slug', viewerId: USER_ID, mayLag: false });
    await fake.app.inject({ method: 'GET', url: '/api/articles/a-slug' });
    expect(fake.useCases.getArticle.execute).toHaveBeenLastCalledWith({ slug: 'a-slug', viewerId: undefined, mayLag: true });
  });

  it('accepts the Bearer scheme and any scheme casing', async () => {
    fake = await startFakeApp();
    for (const scheme of ['Bearer', 'token', 'TOKEN']) {
      const res = await fake.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `${scheme} ${fake.token}` } });
      expect(res.statusCode).toBe(200);
    }
  });

  it.each([
    ['no token after the scheme', 'Token '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['no scheme', 'eyJhbGciOi.eyJzdWIiOi.c2ln'],
    ['two tokens', 'Token a.b.c d.e.f'],
    ['a huge value', `Token ${'a'.repeat(5000)}`],
  ])('refuses %s as malformed', async (_name, authorization) => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: 'GET', url: '/api/tags', headers: { authorization } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: { token: ['is malformed'] } });
  });

  it('says an expired token has expired', async () => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Token ${expired()}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: { token: ['has expired'] } });
  });

  it('refuses a token signed with another secret as invalid', async () => {
    fake = await startFakeApp();
    const foreign = new JwtTokenService('some-other-secret-some-other-secret-000', 60).issue('0190a6b2-7c1e-7a3b-9c2d-1e2f3a4b5c6d');
    const res = await fake.app.inject({ method: 'GET', url: '/api/articles', headers: { authorization: `Token ${foreign}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: { token: ['is invalid'] } });
  });

  it('hands GET /user the token the request came with, and issues one on login', async () => {
    fake = await startFakeApp();
    const current = await fake.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Token ${fake.token}` } });
    expect(current.json().user.token).toBe(fake.token);
    const login = await fake.app.inject({
      method: 'POST',
      url: '/api/users/login',
      payload: { user: { email: 'jake@jake.jake', password: 'jakejake' } },
    });
    expect(fake.tokens.verify(login.json().user.token)).toMatchObject({ ok: true, claims: { userId: USER_ID } });
  });

  it('does not run the command of a refused request', async () => {
    fake = await startFakeApp();
    await fake.app.inject({ method: 'DELETE', url: '/api/articles/a-slug', headers: { authorization: 'Token x.y.z' } });
    expect(fake.useCases.deleteArticle.execute).not.toHaveBeenCalled();
  });
});
