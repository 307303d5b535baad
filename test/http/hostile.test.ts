import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSigner } from 'fast-jwt';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { ApiClient, type Registered } from './support/client.js';
import { startFakeApp } from './support/fake-deps.js';

/**
 * Hostile and edge-case input against the whole application (in-memory adapters): what a
 * demanding client or an attacker sends, and what every answer must then look like.
 * Several cases here were 500s on the SQL adapters (PostgreSQL refuses NUL and unpaired
 * surrogates) or answered in Fastify's or Node's own error format before they were fixed.
 */
describe('hostile input (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  const inject = (options: InjectOptions) => api.test.app.inject(options) as Promise<LightMyRequestResponse>;
  const auth = (user: Registered) => ({ authorization: `Token ${user.token}` });

  const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  /** What must never reach a client: stack frames, file paths, SQL, framework codes. */
  const INTERNALS = /\bat \S+ \(|\/work\/|node_modules|\.ts:\d|SELECT |INSERT |FST_ERR|"statusCode"|"stack"|Error:/;

  /** Every error, whatever produced it, is `{"errors":{field:[message, …]}}` as JSON. */
  function expectRealWorldError(res: LightMyRequestResponse, status: number): Record<string, string[]> {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).not.toMatch(INTERNALS);
    const body = res.json() as { errors: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['errors']);
    const entries = Object.entries(body.errors);
    expect(entries.length).toBeGreaterThan(0);
    for (const [, messages] of entries) {
      expect(Array.isArray(messages)).toBe(true);
      for (const message of messages as unknown[]) expect(typeof message).toBe('string');
    }
    return body.errors as Record<string, string[]>;
  }

  describe('errors the framework raises before any route runs', () => {
    it('answers an undecodable URL with 400 in the RealWorld format, without echoing it', async () => {
      for (const url of ['/api/articles/%FF', '/api/profiles/%C0%80', '/api/articles/%zz/comments', '/api/articles/%']) {
        const res = await inject({ method: 'GET', url });
        expect(expectRealWorldError(res, 400)).toEqual({ url: ['is not a valid URL'] });
        expect(res.body).not.toContain('/api/');
        // Built outside every route, these replies still carry the headers every answer has.
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-request-id']).toBeDefined();
      }
    });

    it('answers a path parameter over the router limit with 414, without echoing it', async () => {
      const res = await inject({
        method: 'GET',
        url: `/api/articles/${'a'.repeat(3000)}`,
        headers: { origin: 'https://app.example' },
      });
      expect(expectRealWorldError(res, 414)).toEqual({ url: ['is too long'] });
      // A browser can only read an error that carries the CORS origin.
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).not.toContain('aaaa');
    });

    it('gives those answers the configured CORS origin only, as every other answer has', async () => {
      const fake = await startFakeApp({ options: { corsOrigins: ['https://app.example'] } });
      try {
        const allowed = await fake.app.inject({ method: 'GET', url: '/api/articles/%FF', headers: { origin: 'https://app.example' } });
        expect(allowed.statusCode).toBe(400);
        expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
        expect(allowed.headers.vary).toContain('Origin');
        const foreign = await fake.app.inject({ method: 'GET', url: '/api/articles/%FF', headers: { origin: 'https://evil.example' } });
        expect(foreign.statusCode).toBe(400);
        expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await fake.app.close();
      }
    });

    it('answers unknown routes and methods with 404 in the RealWorld format, HEAD included', async () => {
      for (const [method, url] of [
        ['GET', '/'],
        ['GET', '/api'],
        ['GET', '/API/articles'],
        ['PATCH', '/api/user'],
        ['POST', '/api/tags'],
        ['DELETE', '/api/articles'],
        ['GET', '/api/articles//x'],
      ] as const) {
        expect(expectRealWorldError(await inject({ method, url }), 404)).toEqual({ route: ['not found'] });
      }
      const head = await inject({ method: 'HEAD', url: '/api/nothing' });
      expect(head.statusCode).toBe(404);
      expect(head.body).toBe('');
    });

    it('answers HEAD on a list like GET, without a body', async () => {
      const res = await inject({ method: 'HEAD', url: '/api/tags' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe('');
    });
  });

  describe('requests Node cannot parse (real socket)', () => {
    /** Writes raw bytes to the listening server and collects everything it answers. */
    async function rawExchange(request: string): Promise<{ status: number; headers: string; body: string }> {
      const { port } = api.test.app.server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('error', reject);
        socket.on('close', () => resolve(received));
        socket.setTimeout(5_000, () => socket.destroy());
        // Not end(): a half-closed client may have its socket closed before a slower
        // (database-backed) answer is written. The server closes after answering.
        socket.write(request);
      });
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body };
    }

    beforeAll(async () => {
      await api.test.app.listen({ port: 0, host: '127.0.0.1' });
    });

    it.each([
      ['an unknown method', 'FOO /api/tags HTTP/1.1\r\nHost: x\r\n\r\n', 400, { request: ['is malformed'] }],
      ['a non-numeric Content-Length', 'POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}', 400, { request: ['is malformed'] }],
      ['Content-Length with chunked encoding', 'POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, { request: ['is malformed'] }],
      ['a header larger than Node accepts', `GET /api/tags HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, { headers: ['are too large'] }],
    ])('answers %s in the RealWorld format', async (_name, request, status, errors) => {
      const res = await rawExchange(request);
      expect(res.status).toBe(status);
      expect(res.headers).toContain('content-type: application/json; charset=utf-8');
      expect(JSON.parse(res.body)).toEqual({ errors });
    });

    it('still serves ordinary requests on the same server', async () => {
      const res = await rawExchange('GET /api/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toHaveProperty('tags');
    });
  });

  describe('CORS preflights', () => {
    it('answers a bare OPTIONS (no Origin, no requested method) with 204, not a plain-text 400', async () => {
      for (const url of ['/api/articles', '/api/user', '/api/nothing']) {
        const res = await inject({ method: 'OPTIONS', url });
        expect(res.statusCode).toBe(204);
        expect(res.body).toBe('');
      }
    });

    it('answers preflights from any origin with the methods and headers the API needs', async () => {
      for (const origin of ['https://app.example', 'null', 'http://localhost:4200']) {
        const res = await inject({
          method: 'OPTIONS',
          url: '/api/articles/some-slug/comments',
          headers: {
            origin,
            'access-control-request-method': 'DELETE',
            'access-control-request-headers': 'authorization,content-type,x-request-id',
          },
        });
        expect(res.statusCode).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBe('*');
        const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
        for (const header of ['authorization', 'content-type', 'x-request-id']) expect(allowed).toContain(header);
        expect(String(res.headers['access-control-allow-methods'])).toContain('DELETE');
      }
    });
  });

  describe('text PostgreSQL cannot store (NUL, unpaired surrogates) is refused with 422', () => {
    const STORABLE = 'must not contain NUL or unpaired surrogate characters';
    const json = { 'content-type': 'application/json' };

    it.each([
      ['/api/articles/%00', 'slug'],
      ['/api/articles/a%00b/comments', 'slug'],
      ['/api/articles/%ED%A0%80', 'url'],
      ['/api/profiles/%00', 'username'],
      ['/api/articles?tag=a%00', 'tag'],
      ['/api/articles?author=%00', 'author'],
      ['/api/articles?favorited=x%00', 'favorited'],
    ])('GET %s → 4xx naming %s', async (url, field) => {
      const res = await inject({ method: 'GET', url });
      const errors = expectRealWorldError(res, field === 'url' ? 400 : 422);
      expect(Object.keys(errors)).toEqual([field]);
    });

    it('refuses them in commands on path parameters before any handler runs', async () => {
      const user = await api.register('nul');
      for (const [method, url] of [
        ['DELETE', '/api/articles/%00'],
        ['POST', '/api/articles/%00/favorite'],
        ['POST', '/api/profiles/%00/follow'],
      ] as const) {
        const res = await inject({ method, url, headers: auth(user) });
        expect(expectRealWorldError(res, 422)).toEqual({ [url.includes('profiles') ? 'username' : 'slug']: [STORABLE] });
      }
    });

    it('refuses them in registration and login, and registers nobody', async () => {
      const register = await inject({
        method: 'POST',
        url: '/api/users',
        headers: json,
        payload: '{"user":{"username":"nulmail","email":"x\\u0000@b.cc","password":"password123"}}',
      });
      expect(expectRealWorldError(register, 422)).toEqual({ email: [STORABLE] });
      const login = await inject({
        method: 'POST',
        url: '/api/users/login',
        headers: json,
        payload: '{"user":{"email":"a\\u0000@b.cc","password":"password123"}}',
      });
      expect(expectRealWorldError(login, 422)).toEqual({ email: [STORABLE] });
      expect((await api.request('GET', '/profiles/nulmail')).statusCode).toBe(404);
    });

    it.each([
      ['title', '{"article":{"title":"\\ud800x","description":"d","body":"b"}}'],
      ['description', '{"article":{"title":"t","description":"\\udfff","body":"b"}}'],
      ['body', '{"article":{"title":"t","description":"d","body":"a\\u0000b"}}'],
      ['tagList', '{"article":{"title":"t","description":"d","body":"b","tagList":["ok","\\ud83d"]}}'],
    ])('refuses one in an article %s and creates nothing', async (field, payload) => {
      const user = await api.register('surrogate');
      const res = await inject({ method: 'POST', url: '/api/articles', headers: { ...json, ...auth(user) }, payload });
      const errors = expectRealWorldError(res, 422);
      expect(Object.keys(errors)).toEqual([field]);
      expect((await api.request('GET', `/articles?author=${user.username}`)).json().articlesCount).toBe(0);
    });

    it('refuses them in comments and user updates; a paired surrogate (emoji) is fine', async () => {
      const user = await api.register('emoji');
      const article = await api.createArticle(user);
      const comment = await inject({
        method: 'POST',
        url: `/api/articles/${article.slug}/comments`,
        headers: { ...json, ...auth(user) },
        payload: '{"comment":{"body":"\\ud800"}}',
      });
      expect(expectRealWorldError(comment, 422)).toEqual({ body: [STORABLE] });
      for (const field of ['bio', 'image', 'email', 'username', 'password']) {
        const res = await inject({
          method: 'PUT',
          url: '/api/user',
          headers: { ...json, ...auth(user) },
          payload: `{"user":{"${field}":"http://x.io/\\u0000"}}`,
        });
        expect(expectRealWorldError(res, 422)).toEqual({ [field]: [STORABLE] });
      }
      const emoji = await api.request('POST', `/articles/${article.slug}/comments`, {
        token: user.token,
        body: { comment: { body: 'Dragons 🐉🔥 are ok' } },
      });
      expect(emoji.statusCode).toBe(200);
      expect(emoji.json().comment.body).toBe('Dragons 🐉🔥 are ok');
    });
  });

  describe('request bodies', () => {
    const json = { 'content-type': 'application/json' };

    it('refuses a compressed body with 415 instead of calling it invalid JSON', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { ...json, 'content-encoding': 'gzip' },
        payload: '{"user":{"email":"a@b.cc","password":"password123"}}',
      });
      expect(expectRealWorldError(res, 415)).toEqual({
        body: ['must not be compressed (Content-Encoding is not supported)'],
      });
      const identity = await inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { ...json, 'content-encoding': 'identity' },
        payload: '{"user":{"email":"a@b.cc","password":"password123"}}',
      });
      expect(identity.statusCode).toBe(401);
    });

    it.each([
      ['empty', '', 422],
      ['whitespace', '  \n ', 422],
      ['null', 'null', 422],
      ['an array', '[]', 422],
      ['a string', '"user"', 422],
      ['a number', '42', 422],
      ['truncated JSON', '{"user":{"email":', 400],
      ['single quotes', "{'user':{}}", 400],
      ['a trailing comma', '{"user":{},}', 400],
      ['deeply nested arrays', `{"user":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 422],
    ])('answers a body that is %s with %i in the RealWorld format', async (_name, payload, status) => {
      const res = await inject({ method: 'POST', url: '/api/users/login', headers: json, payload });
      expectRealWorldError(res, status);
    });

    it.each([
      ['__proto__', '{"user":{"email":"a@b.cc","password":"password123"},"__proto__":{"admin":true}}'],
      ['nested __proto__', '{"user":{"__proto__":{"admin":true},"email":"a@b.cc","password":"password123"}}'],
      ['constructor.prototype', '{"user":{"constructor":{"prototype":{"admin":true}}}}'],
    ])('refuses a %s key with 400 saying so (the JSON itself is valid), polluting nothing', async (_name, payload) => {
      const res = await inject({ method: 'POST', url: '/api/users/login', headers: json, payload });
      expect(expectRealWorldError(res, 400)).toEqual({
        body: ['must not contain "__proto__" or "constructor.prototype" keys'],
      });
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it.each([
      ['text/plain', 415],
      ['application/x-www-form-urlencoded', 415],
      ['multipart/form-data; boundary=x', 415],
      ['application/xml', 415],
      ['', 415],
    ])('answers a body sent as %j with %i', async (contentType, status) => {
      const user = await api.register('ctype');
      const res = await inject({
        method: 'POST',
        url: '/api/articles',
        headers: { ...auth(user), 'content-type': contentType },
        payload: '{"article":{"title":"t","description":"d","body":"b"}}',
      });
      expectRealWorldError(res, status);
    });

    it('answers a body over the limit with 413 in the RealWorld format', async () => {
      const user = await api.register('big');
      const res = await inject({
        method: 'POST',
        url: '/api/articles',
        headers: { ...json, ...auth(user) },
        payload: JSON.stringify({ article: { title: 't', description: 'd', body: 'x'.repeat(2 * 1024 * 1024) } }),
      });
      expect(expectRealWorldError(res, 413)).toEqual({ body: ['is too large'] });
    });

    it('keeps the last of duplicate keys, as JSON.parse does, and ignores unknown fields', async () => {
      const user = await api.register('dup');
      const res = await inject({
        method: 'POST',
        url: '/api/articles',
        headers: { ...json, ...auth(user) },
        payload:
          '{"article":{"title":"First","title":"Second Title","description":"d","body":"b","slug":"chosen","favoritesCount":99,"author":"x"}}',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().article).toMatchObject({ title: 'Second Title', slug: 'second-title', favoritesCount: 0 });
      expect(res.json().article.author.username).toBe(user.username);
    });

    it.each([
      ['a number title', { title: 1, description: 'd', body: 'b' }, 'title'],
      ['an array title', { title: ['t'], description: 'd', body: 'b' }, 'title'],
      ['an object body', { title: 't', description: 'd', body: { text: 'b' } }, 'body'],
      ['a null description', { title: 't', description: null, body: 'b' }, 'description'],
      ['a whitespace-only title', { title: ' \t\n ', description: 'd', body: 'b' }, 'title'],
      ['a null tag', { title: 't', description: 'd', body: 'b', tagList: [null] }, 'tagList'],
      ['an object tagList', { title: 't', description: 'd', body: 'b', tagList: { 0: 'a' } }, 'tagList'],
      ['too many tags', { title: 't', description: 'd', body: 'b', tagList: [...'abcdefghijk'] }, 'tagList'],
      ['a title over 200 characters', { title: 'x'.repeat(201), description: 'd', body: 'b' }, 'title'],
    ])('refuses an article with %s with 422 naming the field', async (_name, article, field) => {
      const user = await api.register('odd');
      const res = await api.request('POST', '/articles', { token: user.token, body: { article } });
      expect(Object.keys(expectRealWorldError(res, 422))).toEqual([field]);
    });

    it('ignores a role sent at registration: the new user cannot delete someone else’s article', async () => {
      const author = await api.register('victim');
      const article = await api.createArticle(author);
      const res = await api.request('POST', '/users', {
        body: { user: { username: 'wannabe-admin', email: 'wannabe@admin.io', password: 'password123', role: 'admin' } },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().user).not.toHaveProperty('role');
      const token = res.json().user.token as string;
      expectRealWorldError(await api.request('DELETE', `/articles/${article.slug}`, { token }), 403);
      expect((await api.request('GET', `/articles/${article.slug}`)).statusCode).toBe(200);
    });
  });

  describe('tokens', () => {
    const expired = () =>
      createSigner({ key: TEST_JWT_SECRET, algorithm: 'HS256', iss: 'conduit-cqrs', expiresIn: 1_000, clockTimestamp: Date.now() - 60_000 })({
        sub: 'someone',
      });
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it.each([
      ['an empty header', ''],
      ['the scheme alone', 'Token'],
      ['no scheme', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
      ['another scheme', 'Basic dXNlcjpwYXNzd29yZA=='],
      ['garbage', 'Token !!!$$$'],
      ['a JWT with alg none', `Token ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', iss: 'conduit-cqrs', exp: 9_999_999_999 })}.`],
      ['a JWT with a forged signature', `Token ${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'x', iss: 'conduit-cqrs', exp: 9_999_999_999 })}.AAAA`],
      ['a header of 10 000 characters', `Token ${'a'.repeat(10_000)}`],
    ])('refuses %s with 401 on required and optional routes alike', async (_name, authorization) => {
      for (const url of ['/api/user', '/api/articles', '/api/tags', '/api/profiles/nobody']) {
        const res = await inject({ method: 'GET', url, headers: { authorization } });
        expect(Object.keys(expectRealWorldError(res, 401))).toEqual(['token']);
        expect(res.headers['www-authenticate']).toBe('Token');
      }
    });

    it('says an expired token has expired', async () => {
      const res = await inject({ method: 'GET', url: '/api/articles', headers: { authorization: `Token ${expired()}` } });
      expect(expectRealWorldError(res, 401)).toEqual({ token: ['has expired'] });
    });

    it('refuses a well-signed token for a user that does not exist on every write, with 401', async () => {
      const ghost = new JwtTokenService(TEST_JWT_SECRET, 3600).issue('00000000-0000-7000-8000-000000000000');
      const author = await api.register('real');
      const article = await api.createArticle(author);
      const headers = { authorization: `Token ${ghost}` };
      for (const [method, url, payload] of [
        ['GET', '/api/user', undefined],
        ['PUT', '/api/user', { user: { bio: 'x' } }],
        ['POST', '/api/articles', { article: { title: 't', description: 'd', body: 'b' } }],
        ['POST', `/api/articles/${article.slug}/favorite`, undefined],
        ['POST', `/api/articles/${article.slug}/comments`, { comment: { body: 'boo' } }],
        ['POST', `/api/profiles/${author.username}/follow`, undefined],
        ['DELETE', `/api/articles/${article.slug}`, undefined],
      ] as const) {
        const res = await inject({ method, url, headers, ...(payload && { payload }) });
        expect(Object.keys(expectRealWorldError(res, 401))).toEqual(['token']);
      }
      const after = (await api.request('GET', `/articles/${article.slug}`)).json().article;
      expect(after.favoritesCount).toBe(0);
      expect((await api.request('GET', `/articles/${article.slug}/comments`)).json().comments).toEqual([]);
    });

    it('ignores any token on register and login, so a stale one never locks a user out', async () => {
      const user = await api.register('stale');
      const res = await inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { authorization: `Token ${expired()}` },
        payload: { user: { email: user.email, password: user.password } },
      });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('status ordering: 401, then 404, then 403', () => {
    it('orders article deletes and updates', async () => {
      const author = await api.register('owner');
      const other = await api.register('other');
      const article = await api.createArticle(author);
      const update = { article: { title: 'Hijacked' } };

      expectRealWorldError(await api.request('DELETE', '/articles/no-such-article'), 401);
      expectRealWorldError(await api.request('DELETE', `/articles/${article.slug}`), 401);
      expectRealWorldError(await api.request('PUT', '/articles/no-such-article', { body: update }), 401);
      expectRealWorldError(await api.request('DELETE', '/articles/no-such-article', { token: other.token }), 404);
      expectRealWorldError(await api.request('PUT', '/articles/no-such-article', { token: other.token, body: update }), 404);
      expectRealWorldError(await api.request('DELETE', `/articles/${article.slug}`, { token: other.token }), 403);
      expectRealWorldError(await api.request('PUT', `/articles/${article.slug}`, { token: other.token, body: update }), 403);

      const still = await api.request('GET', `/articles/${article.slug}`);
      expect(still.json().article.title).toBe(article.title);

      const deleted = await api.request('DELETE', `/articles/${article.slug}`, { token: author.token });
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      expectRealWorldError(await api.request('DELETE', `/articles/${article.slug}`, { token: author.token }), 404);
    });

    it('orders comment deletes, including a comment id of another article', async () => {
      const author = await api.register('cauthor');
      const commenter = await api.register('commenter');
      const first = await api.createArticle(author);
      const second = await api.createArticle(author);
      const comment = await api.addComment(commenter, first.slug, 'Mine');
      const path = (slug: string, id: number | string) => `/articles/${slug}/comments/${id}`;

      expectRealWorldError(await api.request('DELETE', path('no-such-article', 999_999)), 401);
      expectRealWorldError(await api.request('DELETE', path('no-such-article', comment.id), { token: commenter.token }), 404);
      expectRealWorldError(await api.request('DELETE', path(first.slug, 999_999), { token: commenter.token }), 404);
      expectRealWorldError(await api.request('DELETE', path(second.slug, comment.id), { token: commenter.token }), 404);
      // The article's author is not the comment's author.
      expectRealWorldError(await api.request('DELETE', path(first.slug, comment.id), { token: author.token }), 403);
      for (const id of ['abc', '0', '-1', '1.5', '1e400', 'Infinity', '-Infinity', '99999999999999999999']) {
        expectRealWorldError(await api.request('DELETE', path(first.slug, id), { token: commenter.token }), 422);
      }

      const ok = await api.request('DELETE', path(first.slug, comment.id), { token: commenter.token });
      expect(ok.statusCode).toBe(204);
      expect(ok.body).toBe('');
      expectRealWorldError(await api.request('DELETE', path(first.slug, comment.id), { token: commenter.token }), 404);
    });
  });

  describe('concurrency', () => {
    const N = 12;
    const all = <T>(n: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => make(i)));
    const statuses = (answers: LightMyRequestResponse[]) => answers.map((r) => r.statusCode).sort();

    it('registers the same user once when asked many times at once (any case)', async () => {
      const answers = await all(N, (i) =>
        api.request('POST', '/users', {
          body: { user: { username: i % 2 ? 'RaceUser' : 'raceuser', email: `race${i}@example.com`, password: 'password123' } },
        }),
      );
      expect(statuses(answers)).toEqual([201, ...Array<number>(N - 1).fill(422)]);
      for (const res of answers.filter((r) => r.statusCode === 422))
        expect(res.json()).toEqual({ errors: { username: ['has already been taken'] } });
    });

    it('registers the same email once when asked many times at once', async () => {
      const answers = await all(N, (i) =>
        api.request('POST', '/users', {
          body: { user: { username: `samemail${i}`, email: i % 2 ? 'Same@Mail.io' : 'same@mail.io', password: 'password123' } },
        }),
      );
      expect(statuses(answers)).toEqual([201, ...Array<number>(N - 1).fill(422)]);
    });

    it('counts favourites exactly: many users at once, one user many times', async () => {
      const author = await api.register('popular');
      const article = await api.createArticle(author);
      const fans = await all(N, () => api.register('fan'));
      const favs = await Promise.all(fans.map((fan) => api.request('POST', `/articles/${article.slug}/favorite`, { token: fan.token })));
      expect(statuses(favs)).toEqual(Array<number>(N).fill(200));
      const again = await all(N, () => api.request('POST', `/articles/${article.slug}/favorite`, { token: fans[0]!.token }));
      expect(statuses(again)).toEqual(Array<number>(N).fill(200));
      const seen = await api.request('GET', `/articles/${article.slug}`, { token: fans[0]!.token });
      expect(seen.json().article).toMatchObject({ favorited: true, favoritesCount: N });
      const listed = await api.request('GET', `/articles?favorited=${fans[0]!.username}`);
      expect(listed.json().articlesCount).toBe(1);
    });

    it('follows once however many times at once; the feed holds each article once', async () => {
      const author = await api.register('followed');
      const reader = await api.register('reader');
      await api.createArticle(author);
      const answers = await all(N, () => api.request('POST', `/profiles/${author.username}/follow`, { token: reader.token }));
      expect(statuses(answers)).toEqual(Array<number>(N).fill(200));
      for (const res of answers) expect(res.json().profile.following).toBe(true);
      const feed = await api.request('GET', '/articles/feed', { token: reader.token });
      expect(feed.json().articlesCount).toBe(1);
      expect(feed.json().articles).toHaveLength(1);
    });

    it('gives articles created at once with the same title distinct slugs', async () => {
      const author = await api.register('twin');
      const answers = await all(N, () =>
        api.request('POST', '/articles', { token: author.token, body: { article: { title: 'Twin Title', description: 'd', body: 'b' } } }),
      );
      expect(statuses(answers)).toEqual(Array<number>(N).fill(201));
      const slugs = answers.map((r) => r.json().article.slug as string);
      expect(new Set(slugs).size).toBe(N);
      for (const slug of slugs) expect(slug).toMatch(/^twin-title(-[a-z0-9]+)?$/);
      expect((await api.request('GET', `/articles?author=${author.username}&limit=100`)).json().articlesCount).toBe(N);
    });

    it('gives comments added at once distinct ids, all listed', async () => {
      const author = await api.register('busy');
      const article = await api.createArticle(author);
      const answers = await all(N, (i) =>
        api.request('POST', `/articles/${article.slug}/comments`, { token: author.token, body: { comment: { body: `c${i}` } } }),
      );
      expect(statuses(answers)).toEqual(Array<number>(N).fill(200));
      expect(new Set(answers.map((r) => r.json().comment.id)).size).toBe(N);
      expect((await api.request('GET', `/articles/${article.slug}/comments`)).json().comments).toHaveLength(N);
    });

    it('deletes once when deletes, comments and favourites race; nothing of the article survives', async () => {
      const author = await api.register('doomed');
      const others = await all(4, () => api.register('racer'));
      const article = await api.createArticle(author, { tagList: ['doomedtag'] });
      const answers = await Promise.all([
        ...others.map((o) => api.request('POST', `/articles/${article.slug}/comments`, { token: o.token, body: { comment: { body: 'x' } } })),
        api.request('DELETE', `/articles/${article.slug}`, { token: author.token }),
        ...others.map((o) => api.request('POST', `/articles/${article.slug}/favorite`, { token: o.token })),
        api.request('DELETE', `/articles/${article.slug}`, { token: author.token }),
      ]);
      for (const res of answers) expect([200, 204, 404]).toContain(res.statusCode);
      expect(answers.filter((r) => r.statusCode === 204)).toHaveLength(1);
      expect((await api.request('GET', `/articles/${article.slug}`)).statusCode).toBe(404);
      expect((await api.request('GET', `/articles/${article.slug}/comments`)).statusCode).toBe(404);
      expect((await api.request('GET', `/articles?favorited=${others[0]!.username}`)).json().articlesCount).toBe(0);
      expect((await api.request('GET', '/tags')).json().tags).not.toContain('doomedtag');
    });
  });

  describe('renames', () => {
    it('moves everything to the new username and frees the old one', async () => {
      const writer = await api.register('writer');
      const fan = await api.register('fan');
      const article = await api.createArticle(writer);
      await api.addComment(writer, article.slug, 'My own comment');
      await api.request('POST', `/articles/${article.slug}/favorite`, { token: writer.token });
      await api.request('POST', `/profiles/${writer.username}/follow`, { token: fan.token });

      const renamed = `${writer.username}-new`;
      const res = await api.request('PUT', '/user', { token: writer.token, body: { user: { username: renamed } } });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.username).toBe(renamed);

      expectRealWorldError(await api.request('GET', `/profiles/${writer.username}`), 404);
      expect((await api.request('GET', `/profiles/${renamed.toUpperCase()}`, { token: fan.token })).json().profile).toEqual({
        username: renamed,
        bio: null,
        image: null,
        following: true,
      });
      expect((await api.request('GET', `/articles?author=${writer.username}`)).json().articlesCount).toBe(0);
      expect((await api.request('GET', `/articles?author=${renamed}`)).json().articlesCount).toBe(1);
      expect((await api.request('GET', `/articles?favorited=${writer.username}`)).json().articlesCount).toBe(0);
      expect((await api.request('GET', `/articles?favorited=${renamed}`)).json().articlesCount).toBe(1);
      const feed = await api.request('GET', '/articles/feed', { token: fan.token });
      expect(feed.json().articles[0].author).toEqual({ username: renamed, bio: null, image: null, following: true });
      const comments = await api.request('GET', `/articles/${article.slug}/comments`);
      expect(comments.json().comments[0].author.username).toBe(renamed);
      expect((await api.request('GET', `/articles/${article.slug}`)).json().article.author.username).toBe(renamed);

      // The old name is free again, and its new owner inherits nothing.
      const claimant = await api.request('POST', '/users', {
        body: { user: { username: writer.username, email: 'claimant@example.com', password: 'password123' } },
      });
      expect(claimant.statusCode).toBe(201);
      expect((await api.request('GET', `/articles?author=${writer.username}`)).json().articlesCount).toBe(0);
      expect((await api.request('GET', `/profiles/${writer.username}`, { token: fan.token })).json().profile.following).toBe(false);
    });
  });

  describe('pagination', () => {
    let author: Registered;
    beforeAll(async () => {
      author = await api.register('pager');
      for (let i = 0; i < 5; i++) await api.createArticle(author);
    });
    const list = (query: string) => api.request('GET', `/articles?author=${author.username}&${query}`);

    // ±Infinity and 1e400 pass Ajv's integer check once coerced, and reached the database
    // (a 500 on PostgreSQL) before the validator refused non-finite numbers.
    it.each([
      'limit=0',
      'limit=-1',
      'limit=abc',
      'limit=1.5',
      'limit=',
      'limit=1&limit=2',
      'limit=NaN',
      'limit=Infinity',
      'limit=-Infinity',
      'offset=-1',
      'offset=x',
      'offset=1&offset=2',
      'offset=Infinity',
      'offset=1e400',
      'offset=-Infinity',
    ])(
      '?%s → 422 naming the parameter',
      async (query) => {
        const errors = expectRealWorldError(await list(query), 422);
        expect(Object.keys(errors)).toEqual([query.split('=')[0]]);
      },
    );

    it('clamps a huge limit, keeps the count the total, and answers past the end with an empty page', async () => {
      const huge = await list('limit=99999999999999999999');
      expect(huge.statusCode).toBe(200);
      expect(huge.json()).toMatchObject({ articlesCount: 5 });
      expect(huge.json().articles).toHaveLength(5);
      const page = await list('limit=2&offset=4');
      expect(page.json().articles).toHaveLength(1);
      expect(page.json().articlesCount).toBe(5);
      const past = await list('limit=10&offset=5000');
      expect(past.json()).toEqual({ articles: [], articlesCount: 5 });
      const pages = await Promise.all([0, 2, 4].map((offset) => list(`limit=2&offset=${offset}`)));
      const slugs = pages.flatMap((p) => p.json().articles.map((a: { slug: string }) => a.slug));
      expect(new Set(slugs).size).toBe(5);
    });

    it('validates the feed page the same way', async () => {
      for (const query of ['limit=0', 'offset=-1', 'limit=x']) {
        expectRealWorldError(await api.request('GET', `/articles/feed?${query}`, { token: author.token }), 422);
      }
      const empty = await api.request('GET', '/articles/feed?offset=1000', { token: author.token });
      expect(empty.json()).toEqual({ articles: [], articlesCount: 0 });
    });
  });

  describe('response shapes', () => {
    it('answers every article, list item, comment, profile and user exactly as the spec shows', async () => {
      const author = await api.register('shape');
      const created = await api.request('POST', '/articles', {
        token: author.token,
        body: { article: { title: 'Dragons 🐉 & Ünïcödé', description: 'd', body: 'b', tagList: [' b ', 'a', 'A', ''] } },
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
      const { article } = created.json();
      expect(Object.keys(article).sort()).toEqual(
        ['author', 'body', 'createdAt', 'description', 'favorited', 'favoritesCount', 'slug', 'tagList', 'title', 'updatedAt'].sort(),
      );
      expect(article).toMatchObject({ slug: 'dragons-unicode', tagList: ['a', 'b'], favorited: false, favoritesCount: 0 });
      expect(article.createdAt).toMatch(ISO_MILLIS);
      expect(article.updatedAt).toMatch(ISO_MILLIS);
      expect(article.author).toEqual({ username: author.username, bio: null, image: null, following: false });

      const list = await api.request('GET', `/articles?author=${author.username}`);
      const [item] = list.json().articles;
      expect(item).not.toHaveProperty('body');
      expect(Number.isInteger(item.favoritesCount)).toBe(true);
      expect(Number.isInteger(list.json().articlesCount)).toBe(true);

      const comment = (await api.request('POST', `/articles/${article.slug}/comments`, { token: author.token, body: { comment: { body: ' hi ' } } })).json()
        .comment;
      expect(Object.keys(comment).sort()).toEqual(['author', 'body', 'createdAt', 'id', 'updatedAt']);
      expect(Number.isInteger(comment.id)).toBe(true);
      expect(comment.createdAt).toMatch(ISO_MILLIS);

      const user = (await api.request('PUT', '/user', { token: author.token, body: { user: { bio: 'I like dragons', image: '' } } })).json().user;
      expect(user).toEqual({ email: author.email, token: author.token, username: author.username, bio: 'I like dragons', image: null });
      const profile = (await api.request('GET', `/profiles/${author.username}`)).json().profile;
      expect(profile).toEqual({ username: author.username, bio: 'I like dragons', image: null, following: false });
    });

    it('answers deletes with 204 and no body, and never leaks a stack trace on any error', async () => {
      const author = await api.register('tidy');
      const article = await api.createArticle(author);
      const comment = await api.addComment(author, article.slug);
      const comments = await api.request('DELETE', `/articles/${article.slug}/comments/${comment.id}`, { token: author.token });
      expect(comments.statusCode).toBe(204);
      expect(comments.body).toBe('');
      expect(comments.headers['content-type']).toBeUndefined();
      const res = await api.request('DELETE', `/articles/${article.slug}`, { token: author.token });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
    });
  });

  describe('deletion leaves nothing behind', () => {
    it('removes the article from lists, the feed, favourites, tags and counts', async () => {
      const author = await api.register('gone');
      const reader = await api.register('left');
      await api.request('POST', `/profiles/${author.username}/follow`, { token: reader.token });
      const keep = await api.createArticle(author, { tagList: ['kept'] });
      const drop = await api.createArticle(author, { tagList: ['dropped', 'kept'] });
      await api.request('POST', `/articles/${drop.slug}/favorite`, { token: reader.token });
      await api.addComment(reader, drop.slug);

      expect((await api.request('DELETE', `/articles/${drop.slug}`, { token: author.token })).statusCode).toBe(204);

      const byAuthor = (await api.request('GET', `/articles?author=${author.username}`)).json();
      expect(byAuthor.articlesCount).toBe(1);
      expect(byAuthor.articles.map((a: { slug: string }) => a.slug)).toEqual([keep.slug]);
      expect((await api.request('GET', '/articles/feed', { token: reader.token })).json().articlesCount).toBe(1);
      expect((await api.request('GET', `/articles?favorited=${reader.username}`)).json().articlesCount).toBe(0);
      expect((await api.request('GET', '/articles?tag=dropped')).json().articlesCount).toBe(0);
      const tags = (await api.request('GET', '/tags')).json().tags;
      expect(tags).toContain('kept');
      expect(tags).not.toContain('dropped');
      expectRealWorldError(await api.request('GET', `/articles/${drop.slug}/comments`), 404);
      expectRealWorldError(await api.request('POST', `/articles/${drop.slug}/comments`, { token: reader.token, body: { comment: { body: 'late' } } }), 404);
      expectRealWorldError(await api.request('POST', `/articles/${drop.slug}/favorite`, { token: reader.token }), 404);
      expectRealWorldError(await api.request('PUT', `/articles/${drop.slug}`, { token: author.token, body: { article: { body: 'x' } } }), 404);
    });
  });
});
