import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcTestIssuer } from '../support/oidc-test-issuer.js';
import { SecureApp, type User } from './support/secure-app.js';

/**
 * Every write endpoint × every kind of caller, with the status each must get. The
 * resources (article, comment, profile) belong to `owner`; `revoked` is a token of the
 * owner issued before the owner signed out everywhere; `oidc` is another user who signs in
 * with an access token of an OpenID provider (served over HTTP by the test). Each cell runs
 * on fresh resources.
 */
type Caller = 'owner' | 'other' | 'admin' | 'anonymous' | 'revoked' | 'oidc';
const CALLERS: readonly Caller[] = ['owner', 'other', 'admin', 'anonymous', 'revoked', 'oidc'];

interface World {
  readonly owner: User;
  readonly slug: string;
  readonly commentId: number;
}

interface Endpoint {
  readonly name: string;
  readonly request: (w: World) => { method: 'POST' | 'PUT' | 'DELETE'; url: string; body?: unknown };
  readonly expected: Readonly<Record<Caller, number>>;
}

const anyUser = (status: number): Record<Caller, number> => ({
  owner: status,
  other: status,
  admin: status,
  anonymous: 401,
  revoked: 401,
  oidc: status,
});
const ownerOrAdmin = (status: number): Record<Caller, number> => ({ ...anyUser(status), other: 403, oidc: 403 });

const ENDPOINTS: readonly Endpoint[] = [
  { name: 'PUT /user', request: () => ({ method: 'PUT', url: '/user', body: { user: { bio: 'new bio' } } }), expected: anyUser(200) },
  { name: 'POST /user/logout-all', request: () => ({ method: 'POST', url: '/user/logout-all' }), expected: anyUser(204) },
  {
    name: 'POST /profiles/:username/follow',
    request: (w) => ({ method: 'POST', url: `/profiles/${w.owner.username}/follow` }),
    // Following oneself is refused by the domain (422), for the owner only.
    expected: { ...anyUser(200), owner: 422 },
  },
  {
    name: 'DELETE /profiles/:username/follow',
    request: (w) => ({ method: 'DELETE', url: `/profiles/${w.owner.username}/follow` }),
    expected: { ...anyUser(200), owner: 422 },
  },
  {
    name: 'POST /articles',
    request: () => ({ method: 'POST', url: '/articles', body: { article: { title: 'Matrix', description: 'd', body: 'b' } } }),
    expected: anyUser(201),
  },
  {
    name: 'PUT /articles/:slug',
    request: (w) => ({ method: 'PUT', url: `/articles/${w.slug}`, body: { article: { body: 'changed' } } }),
    expected: ownerOrAdmin(200),
  },
  { name: 'DELETE /articles/:slug', request: (w) => ({ method: 'DELETE', url: `/articles/${w.slug}` }), expected: ownerOrAdmin(204) },
  { name: 'POST /articles/:slug/favorite', request: (w) => ({ method: 'POST', url: `/articles/${w.slug}/favorite` }), expected: anyUser(200) },
  { name: 'DELETE /articles/:slug/favorite', request: (w) => ({ method: 'DELETE', url: `/articles/${w.slug}/favorite` }), expected: anyUser(200) },
  {
    name: 'POST /articles/:slug/comments',
    request: (w) => ({ method: 'POST', url: `/articles/${w.slug}/comments`, body: { comment: { body: 'hi' } } }),
    expected: anyUser(200),
  },
  {
    name: 'DELETE /articles/:slug/comments/:id',
    request: (w) => ({ method: 'DELETE', url: `/articles/${w.slug}/comments/${w.commentId}` }),
    expected: ownerOrAdmin(204),
  },
];

let app: SecureApp;
let issuer: OidcTestIssuer;
let identities = 0;

beforeAll(async () => {
  issuer = await OidcTestIssuer.start();
  app = await SecureApp.start({ oidcIssuer: issuer.issuer, oidcAudience: issuer.audience });
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

/**
 * Fresh callers (sign-out everywhere is one of the cells), an article and a comment of the
 * owner, and a token of the owner that was revoked.
 */
async function world(): Promise<World & { readonly revokedToken: string; readonly other: User; readonly admin: User; readonly oidcToken: string }> {
  const other = await app.register('other');
  const admin = await app.register('admin');
  await app.grantAdmin(admin);
  const owner = await app.register('owner');
  const revokedToken = owner.token;
  expect((await app.request('POST', '/user/logout-all', { token: revokedToken })).statusCode).toBe(204);
  const login = await app.request('POST', '/users/login', { body: { user: { email: owner.email, password: owner.password } } });
  owner.token = login.json().user.token;
  const slug = await app.article(owner);
  const commentId = await app.comment(owner, slug);
  identities += 1;
  const oidcToken = await issuer.sign({ sub: `matrix-${identities}`, preferred_username: `oidc${identities}` });
  return { owner, slug, commentId, revokedToken, other, admin, oidcToken };
}

describe('authorization matrix', () => {
  for (const endpoint of ENDPOINTS)
    for (const caller of CALLERS)
      it(`${endpoint.name} as ${caller} → ${endpoint.expected[caller]}`, async () => {
        const w = await world();
        const token = {
          owner: w.owner.token,
          other: w.other.token,
          admin: w.admin.token,
          anonymous: undefined,
          revoked: w.revokedToken,
          oidc: w.oidcToken,
        }[caller];
        const { method, url, body } = endpoint.request(w);
        const scheme = caller === 'oidc' ? { scheme: 'Bearer' } : {};
        const res = await app.request(method, url, { ...(token !== undefined && { token }), ...scheme, ...(body !== undefined && { body }) });
        expect(res.statusCode, res.body).toBe(endpoint.expected[caller]);
        if (res.statusCode >= 400) expect(Object.keys(res.json())).toEqual(['errors']);
        if (caller === 'revoked') expect(res.json()).toEqual({ errors: { token: ['has been revoked'] } });
        if (caller === 'anonymous') expect(res.json()).toEqual({ errors: { token: ['is missing'] } });
      });

  it('the forbidden cells change nothing: the article and comment are still there, unchanged', async () => {
    const w = await world();
    await app.request('PUT', `/articles/${w.slug}`, { token: w.other.token, body: { article: { body: 'defaced' } } });
    await app.request('DELETE', `/articles/${w.slug}`, { token: w.other.token });
    await app.request('DELETE', `/articles/${w.slug}/comments/${w.commentId}`, { token: w.other.token });
    await app.request('DELETE', `/articles/${w.slug}`, { token: w.revokedToken });
    const article = await app.request('GET', `/articles/${w.slug}`);
    expect(article.json().article.body).toBe('The text');
    const comments = await app.request('GET', `/articles/${w.slug}/comments`);
    expect(comments.json().comments.map((c: { id: number }) => c.id)).toEqual([w.commentId]);
  });
});
