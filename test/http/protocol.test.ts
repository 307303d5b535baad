import { Err } from 'ts-results-es';
import { afterEach, describe, expect, it } from 'vitest';
import { conflictError, notFoundError } from '../../src/domain/index.js';
import { DependencyUnavailable } from '../../src/application/shared/errors.js';
import { articleView, captureLogs, startFakeApp, type FakeApp, USER_ID } from './support/fake-deps.js';

/** The HTTP edge on its own: framework errors, content types, error mapping, headers. */
describe('HTTP protocol edge', () => {
  let fake: FakeApp;
  afterEach(async () => {
    await fake?.app.close();
  });

  const json = { 'content-type': 'application/json' };

  describe('request bodies', () => {
    it('answers malformed JSON with 400 in the RealWorld format', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'POST', url: '/api/users', headers: json, payload: '{"user":' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ errors: { body: ['is not valid JSON'] } });
      expect(fake.useCases.registerUser.execute).not.toHaveBeenCalled();
    });

    it('refuses prototype-poisoning JSON as invalid', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: json,
        payload: '{"user":{"username":"a","email":"a@b.c","password":"password1"},"__proto__":{"admin":true}}',
      });
      expect(res.statusCode).toBe(400);
    });

    it('answers a body over the limit with 413', async () => {
      fake = await startFakeApp({ options: { bodyLimit: 1024 } });
      const payload = JSON.stringify({ comment: { body: 'x'.repeat(2000) } });
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/articles/a/comments',
        headers: { ...json, authorization: `Token ${fake.token}` },
        payload,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ errors: { body: ['is too large'] } });
      expect(fake.useCases.addComment.execute).not.toHaveBeenCalled();
    });

    it('answers a non-JSON body with 415', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'content-type': 'text/plain' },
        payload: 'email=a&password=b',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({ errors: { body: ['must be sent as application/json'] } });
    });

    it('answers a form-encoded body with 415', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'user[email]=a',
      });
      expect(res.statusCode).toBe(415);
    });

    it('accepts application/json with a charset parameter', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: { user: { email: 'jake@jake.jake', password: 'jakejake' } },
      });
      expect(res.statusCode).toBe(200);
    });

    it.each([
      ['GET', '/api/articles'],
      ['GET', '/api/user'],
      ['DELETE', '/api/articles/a-slug'],
      ['DELETE', '/api/profiles/jake/follow'],
      ['POST', '/api/articles/a-slug/favorite'],
      ['DELETE', '/api/articles/a-slug/comments/1'],
    ])('treats an empty body sent as application/json as no body (%s %s)', async (method, url) => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: method as 'GET',
        url,
        headers: { ...json, authorization: `Token ${fake.token}` },
        payload: '',
      });
      expect(res.statusCode).toBeLessThan(300);
    });

    it('ignores a JSON body sent where none is expected (the suite posts one to follow)', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/profiles/jake/follow',
        headers: { authorization: `Token ${fake.token}` },
        payload: { user: { email: 'jake@jake.jake' } },
      });
      expect(res.statusCode).toBe(200);
      expect(fake.useCases.setFollowing.execute).toHaveBeenCalledWith({ followerId: USER_ID, username: 'jake', following: true });
    });

    it('treats an empty JSON body on a route that needs one as a missing wrapper (422)', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'POST', url: '/api/users', headers: json, payload: '' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: { user: ["can't be blank"] } });
    });
  });

  describe('routing', () => {
    it('answers an unknown route with 404 in the RealWorld format', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: '/api/nothing-here' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: { route: ['not found'] } });
    });

    it('answers an unsupported method on a known path with 404', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'PATCH', url: '/api/user', headers: json, payload: {} });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toHaveProperty('errors');
    });

    it('tolerates a trailing slash', async () => {
      fake = await startFakeApp();
      expect((await fake.app.inject({ method: 'GET', url: '/api/tags/' })).statusCode).toBe(200);
    });
  });

  describe('error mapping', () => {
    it('maps a conflict to 409 but a taken username/email to 422', async () => {
      fake = await startFakeApp();
      fake.useCases.registerUser.execute.mockResolvedValueOnce(
        Err(conflictError('USER.USERNAME_TAKEN', 'username', 'has already been taken')) as never,
      );
      const taken = await fake.app.inject({
        method: 'POST',
        url: '/api/users',
        payload: { user: { username: 'jake', email: 'jake@jake.jake', password: 'jakejake' } },
      });
      expect(taken.statusCode).toBe(422);
      expect(taken.json()).toEqual({ errors: { username: ['has already been taken'] } });

      fake.useCases.updateArticle.execute.mockResolvedValueOnce(
        Err(conflictError('CONCURRENT_UPDATE', 'article', 'was changed by another request')) as never,
      );
      const raced = await fake.app.inject({
        method: 'PUT',
        url: '/api/articles/a',
        headers: { authorization: `Token ${fake.token}` },
        payload: { article: { body: 'x' } },
      });
      expect(raced.statusCode).toBe(409);
      expect(raced.json()).toEqual({ errors: { article: ['was changed by another request'] } });
    });

    it('maps not-found to 404 with the field of the error', async () => {
      fake = await startFakeApp();
      fake.useCases.getArticle.execute.mockResolvedValueOnce(
        Err(notFoundError('ARTICLE.NOT_FOUND', 'article', 'not found')) as never,
      );
      const res = await fake.app.inject({ method: 'GET', url: '/api/articles/nope' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: { article: ['not found'] } });
    });

    it('answers an unexpected exception with a fixed 500 body and logs it with the request id', async () => {
      const logs = captureLogs('error');
      fake = await startFakeApp({ logger: logs.logger });
      fake.useCases.getTags.execute.mockRejectedValueOnce(
        new Error('connection string postgres://admin:hunter2@db/conduit is wrong'),
      );
      const res = await fake.app.inject({ method: 'GET', url: '/api/tags', headers: { 'x-request-id': 'req-500' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ errors: { server: ['internal error'] } });
      expect(res.body).not.toMatch(/hunter2|postgres|stack|Error/);
      expect(res.headers['x-request-id']).toBe('req-500');
      const logged = logs.lines().find((line) => line.msg === 'unhandled error');
      expect(logged).toMatchObject({ reqId: 'req-500', level: 50 });
      expect(JSON.stringify(logged)).toContain('hunter2');
    });

    it('answers a dependency outage with 503 and Retry-After, without internals', async () => {
      fake = await startFakeApp();
      const outage = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
      fake.useCases.getTags.execute.mockRejectedValueOnce(new DependencyUnavailable('database', { cause: outage }));
      const res = await fake.app.inject({ method: 'GET', url: '/api/tags' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ errors: { server: ['temporarily unavailable, retry later'] } });
      expect(res.body).not.toContain('10.0.0.5');
    });

    it('answers 500, not a half-written body, when a view does not match its response schema', async () => {
      fake = await startFakeApp();
      fake.useCases.getTags.execute.mockResolvedValueOnce({ isOk: () => true, value: undefined } as never);
      const res = await fake.app.inject({ method: 'GET', url: '/api/tags' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ errors: { server: ['internal error'] } });
    });
  });

  describe('responses', () => {
    it('sends JSON with charset and security headers', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: '/api/tags' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // An anonymous read may sit in a shared cache briefly (test/http/http-caching.test.ts).
      expect(res.headers['cache-control']).toBe('public, max-age=0, s-maxage=1');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.json()).toEqual({ tags: ['dragons', 'training'] });
    });

    it('sends the security headers on errors too', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: '/api/nothing' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('sets HSTS only behind a trusted proxy that says the request was https', async () => {
      fake = await startFakeApp({ options: { trustProxy: true } });
      const res = await fake.app.inject({ method: 'GET', url: '/api/tags', headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers['strict-transport-security']).toContain('max-age=');
    });

    it('drops properties the response schema does not list (no body in list items)', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: '/api/articles' });
      const [item] = res.json().articles;
      expect(item).not.toHaveProperty('body');
      expect(item).toMatchObject({ slug: articleView.slug, favoritesCount: 0, author: { username: 'jake' } });
      expect(res.json().articlesCount).toBe(1);
    });

    it('generates a request id, keeps a sane incoming one and replaces an unsafe one', async () => {
      fake = await startFakeApp();
      const generated = await fake.app.inject({ method: 'GET', url: '/api/tags' });
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await fake.app.inject({ method: 'GET', url: '/api/tags', headers: { 'x-request-id': 'abc-123.x' } });
      expect(kept.headers['x-request-id']).toBe('abc-123.x');
      const unsafe = await fake.app.inject({
        method: 'GET',
        url: '/api/tags',
        headers: { 'x-request-id': 'a b\nc'.padEnd(300, 'x') },
      });
      expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('logging', () => {
    it('logs requests with their id and never the token or the password', async () => {
      const logs = captureLogs('trace');
      fake = await startFakeApp({ logger: logs.logger });
      await fake.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'x-request-id': 'login-1' },
        payload: { user: { email: 'jake@jake.jake', password: 'super-secret-pw' } },
      });
      await fake.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Token ${fake.token}` } });
      const raw = logs.raw();
      expect(raw).not.toContain('super-secret-pw');
      expect(raw).not.toContain(fake.token);
      expect(logs.lines().some((line) => line.reqId === 'login-1' && line.msg === 'request')).toBe(true);
    });

    it('redacts credentials even when a log call includes them', async () => {
      const logs = captureLogs('info');
      fake = await startFakeApp({ logger: logs.logger });
      fake.app.log.info({ req: { headers: { authorization: 'Token abc' } }, body: { user: { password: 'pw123456' } } });
      expect(logs.raw()).not.toMatch(/Token abc|pw123456/);
      expect(logs.raw()).toContain('[redacted]');
    });
  });

  describe('rate limit', () => {
    it('answers 429 in the RealWorld format past the per-minute limit, but never on health probes', async () => {
      fake = await startFakeApp({ options: { rateLimitPerMinute: 2 } });
      const get = () => fake.app.inject({ method: 'GET', url: '/api/tags' });
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(200);
      const limited = await get();
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual({ errors: { request: ['too many requests, retry later'] } });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['access-control-allow-origin']).toBe('*');
      expect((await fake.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    });

    it('is off when the limit is 0', async () => {
      fake = await startFakeApp({ options: { rateLimitPerMinute: 0 } });
      for (let i = 0; i < 5; i++) expect((await fake.app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(200);
    });
  });
});
