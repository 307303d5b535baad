import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecureApp, type User } from './support/secure-app.js';

/**
 * Property-based fuzzing of every route's input through the whole in-memory application:
 * path segments (any bytes, percent-encoded, invalid UTF-8 included), query strings,
 * bodies (random JSON, JSON shaped like the RealWorld bodies with hostile values, and raw
 * text under any content type) and Authorization headers. The properties: no answer is a
 * 5xx, and every error is in the RealWorld format `{"errors":{"<field>":["…"]}}`.
 *
 * RUNS_PER_ROUTE × ROUTES.length requests (at least 10 000) run on every CI run, on the
 * TEST_STACK adapters (memory by default; CI runs it again on PostgreSQL + MongoDB).
 */
const RUNS_PER_ROUTE = 520;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Any bytes as a percent-encoded path segment or query value, with plain characters mixed in. */
const encoded = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`), fc.constantFrom('a', 'Z', '-', '_', '.', '~', '0'), fc.string({ maxLength: 3 }).map(encodeURIComponent)), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

const segment = fc.oneof(encoded, fc.constantFrom('', 'x'.repeat(3000), '..', '%00', '%ED%A0%80', 'known'));

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', 'a'.repeat(600_000), '__proto__', 'constructor', 'https://x.example/a.png', 'a@b.co'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 50 }), { maxLength: 120 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const FIELDS = ['username', 'email', 'password', 'bio', 'image', 'title', 'description', 'body', 'tagList', 'role', '__proto__'];

/** A body shaped like one of the API's (`{"user": {...}}`…), with hostile values and keys. */
const shaped = fc
  .tuple(fc.constantFrom('user', 'article', 'comment', 'other'), fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), hostile, { maxKeys: 6 }))
  .map(([key, fields]) => ({ [key]: fields }));

interface Payload {
  readonly body?: string;
  readonly contentType?: string;
}

const payload: fc.Arbitrary<Payload> = fc.oneof(
  fc.constant({}),
  shaped.map((value) => ({ body: JSON.stringify(value), contentType: 'application/json' })),
  fc.jsonValue({ maxDepth: 4 }).map((value) => ({ body: JSON.stringify(value), contentType: 'application/json' })),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data')).map(([body, contentType]) => ({ body, contentType })),
);

const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'offset', 'tag', 'author', 'favorited'), encoded), fc.oneof(encoded, fc.integer().map(String), fc.constantFrom('-1', '1e309', '9007199254740993', 'NaN'))), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

type Auth = 'valid' | 'none' | 'garbage';
const authArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<{ kind: Auth; value?: string }>({ kind: 'valid' }) },
  { weight: 1, arbitrary: fc.constant<{ kind: Auth; value?: string }>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }).map((value) => ({ kind: 'garbage' as Auth, value })) },
);

interface Route {
  readonly method: Method;
  /** Builds the URL from generated segments (`known` becomes a real slug or username). */
  readonly url: (segments: readonly string[], query: string) => string;
  /** Which user's token `valid` means; `put-user` follows the token each successful PUT hands back. */
  readonly as?: 'main' | 'put-user' | 'none';
}

let app: SecureApp;
let main: User;
let putUser: User;
let known = { slug: ':slug', username: ':username', commentId: 0 };

const real = (segment: string, value: string) => (segment === 'known' ? value : segment);

const ROUTES: readonly Route[] = [
  { method: 'POST', url: () => '/users' },
  { method: 'POST', url: () => '/users/login' },
  { method: 'GET', url: () => '/user' },
  { method: 'PUT', url: () => '/user', as: 'put-user' },
  { method: 'POST', url: () => '/user/logout-all', as: 'none' },
  { method: 'GET', url: ([u = '']) => `/profiles/${real(u, known.username)}` },
  { method: 'POST', url: ([u = '']) => `/profiles/${real(u, known.username)}/follow` },
  { method: 'DELETE', url: ([u = '']) => `/profiles/${real(u, known.username)}/follow` },
  { method: 'GET', url: (_s, q) => `/articles${q}` },
  { method: 'GET', url: (_s, q) => `/articles/feed${q}` },
  { method: 'POST', url: () => '/articles' },
  { method: 'GET', url: ([s = '']) => `/articles/${real(s, known.slug)}` },
  { method: 'PUT', url: ([s = '']) => `/articles/${real(s, known.slug)}` },
  { method: 'DELETE', url: ([s = '']) => `/articles/${s === 'known' ? 'not-this-one' : s}` },
  { method: 'POST', url: ([s = '']) => `/articles/${real(s, known.slug)}/favorite` },
  { method: 'DELETE', url: ([s = '']) => `/articles/${real(s, known.slug)}/favorite` },
  { method: 'GET', url: ([s = '']) => `/articles/${real(s, known.slug)}/comments` },
  { method: 'POST', url: ([s = '']) => `/articles/${real(s, known.slug)}/comments` },
  { method: 'DELETE', url: ([s = '', id = '']) => `/articles/${real(s, known.slug)}/comments/${id === 'known' ? 'x' : id}` },
  { method: 'GET', url: () => '/tags' },
];

const isRealWorldError = (res: LightMyRequestResponse): boolean => {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null || Object.keys(body).join() !== 'errors') return false;
  const errors = (body as { errors: unknown }).errors;
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors) || Object.keys(errors).length === 0) return false;
  return Object.values(errors).every((messages) => Array.isArray(messages) && messages.length > 0 && messages.every((m) => typeof m === 'string'));
};

beforeAll(async () => {
  app = await SecureApp.start();
  main = await app.register('main');
  putUser = await app.register('put');
  const slug = await app.article(main);
  known = { slug, username: main.username, commentId: await app.comment(main, slug) };
});
afterAll(() => app.close());

describe('fuzzing every route', () => {
  let total = 0;
  afterAll(() => {
    expect(total).toBeGreaterThanOrEqual(10_000);
  });

  for (const route of ROUTES)
    it(`${route.method} ${route.url(['known', ':id'], '')}: never 5xx, every error in the RealWorld format`, { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 2, maxLength: 2 }), query, payload, authArb, async (segments, q, body, auth) => {
          total += 1;
          const user = route.as === 'put-user' ? putUser : main;
          const headers: Record<string, string> = {};
          if (auth.kind === 'valid' && route.as !== 'none') headers.authorization = `Token ${user.token}`;
          if (auth.kind === 'garbage') headers.authorization = auth.value ?? '';
          if (body.contentType !== undefined) headers['content-type'] = body.contentType;
          const res = await app.http.inject({
            method: route.method,
            url: `/api${route.url(segments, q)}`,
            headers,
            ...(body.body !== undefined && { payload: body.body }),
          });
          if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${route.method} ${route.url(segments, q)}: ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400 && !isRealWorldError(res)) throw new Error(`not a RealWorld error (${res.statusCode}): ${res.body.slice(0, 300)}`);
          if (route.as === 'put-user' && res.statusCode === 200) putUser.token = res.json().user.token;
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    });
});
