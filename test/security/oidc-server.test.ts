import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/config.js';
import { OidcTestIssuer } from '../support/oidc-test-issuer.js';
import { SecureApp } from './support/secure-app.js';

/**
 * OpenID Connect access tokens through the whole server (TEST_STACK adapters), from a
 * provider served over real HTTP by the test: what is accepted, what is refused, and the
 * local users made for external identities.
 */
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const ARTICLE = { article: { title: 'From the provider', description: 'd', body: 'b' } };

let issuer: OidcTestIssuer;
let app: SecureApp;
let started: SecureApp | undefined;

async function start(config: Partial<AppConfig> = {}): Promise<void> {
  app = await SecureApp.start({ oidcIssuer: issuer.issuer, oidcAudience: issuer.audience, ...config });
  started = app;
}

const bearer = (token: string) => ({ token, scheme: 'Bearer' });
const currentUser = async (token: string) => app.request('GET', '/user', bearer(token));

beforeEach(async () => {
  issuer = await OidcTestIssuer.start();
});

afterEach(async () => {
  vi.useRealTimers();
  await started?.close();
  started = undefined;
  await issuer.close();
});

describe('OpenID Connect access tokens on the server', () => {
  beforeEach(() => start());

  it('accepts a provider token as Bearer on reads and writes, as a user provisioned from preferred_username', async () => {
    const token = await issuer.sign({ preferred_username: 'Ada Lovelace', email: 'ada@example.com' });
    const me = await currentUser(token);
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ username: 'Ada-Lovelace', email: 'ada@example.com', token });
    const created = await app.request('POST', '/articles', { ...bearer(token), body: ARTICLE });
    expect(created.statusCode).toBe(201);
    expect(created.json().article.author.username).toBe('Ada-Lovelace');
  });

  it('keeps accepting the service’s own tokens with Token and Bearer', async () => {
    const user = await app.register('own');
    expect((await app.request('GET', '/user', { token: user.token })).statusCode).toBe(200);
    expect((await app.request('GET', '/user', bearer(user.token))).statusCode).toBe(200);
  });

  it('maps the same identity to the same user, also for concurrent first requests', async () => {
    const [a, b] = await Promise.all([currentUser(await issuer.sign({ sub: 'twice' })), currentUser(await issuer.sign({ sub: 'twice' }))]);
    expect([a?.statusCode, b?.statusCode]).toEqual([200, 200]);
    expect(a?.json().user.username).toBe('twice');
    expect(b?.json().user.username).toBe('twice');
    const later = await currentUser(await issuer.sign({ sub: 'twice', preferred_username: 'renamed' }));
    expect(later.json().user.username).toBe('twice');
    const other = await currentUser(await issuer.sign({ sub: 'someone-else', preferred_username: 'twice' }));
    expect(other.statusCode).toBe(200);
    expect(other.json().user.username).toMatch(/^twice-[0-9a-z]{6}$/);
  });

  it('makes one user of one identity even when its provisionings race in the stores (link first, unique constraints, retry)', async () => {
    const command = { issuer: issuer.issuer, subject: 'racing', emailVerified: false, preferredUsername: 'racer' };
    const results = await Promise.all([1, 2, 3, 4].map(() => app.useCases.provisionExternalUser.execute(command)));
    const ids = new Set(results.map((result) => result.unwrap().userId));
    expect(ids.size).toBe(1);
    const me = await currentUser(await issuer.sign({ sub: 'racing' }));
    expect(me.json().user.username).toBe('racer');
  });

  it('gives an identity without an e-mail a synthetic, non-routable one', async () => {
    const me = await currentUser(await issuer.sign({ sub: 'no-mail' }));
    expect(me.json().user.email).toMatch(/^[0-9a-f-]{36}@external\.invalid$/);
  });

  it('never links to an existing user by an unverified e-mail; a verified one links', async () => {
    const local = await app.register('local');
    const unverified = await currentUser(await issuer.sign({ sub: 'claims-mail', email: local.email, email_verified: false }));
    expect(unverified.statusCode).toBe(200);
    expect(unverified.json().user.username).not.toBe(local.username);
    expect(unverified.json().user.email).not.toBe(local.email);
    const verified = await currentUser(await issuer.sign({ sub: 'owns-mail', email: local.email, email_verified: true }));
    expect(verified.statusCode).toBe(200);
    expect(verified.json().user).toMatchObject({ username: local.username, email: local.email });
  });

  it('refuses tokens of another issuer or audience, expired ones, unknown keys, alg none and HS256 with the public key (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hs256 = await new SignJWT({ ...issuer.defaultClaims() })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: issuer.currentKeyId })
      .sign(new TextEncoder().encode(await issuer.publicKeyPem()));
    const refused = {
      'another issuer': await issuer.sign({ iss: 'https://elsewhere.example' }),
      'another audience': await issuer.sign({ aud: 'another-api' }),
      expired: await issuer.sign({ iat: now - 1000, exp: now - 600 }),
      'unknown kid': await issuer.sign({}, { headerKid: 'no-such-key' }),
      'alg none': `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(issuer.defaultClaims())}.`,
      'HS256 with the public key': hs256,
    };
    for (const [name, token] of Object.entries(refused)) {
      const res = await currentUser(token);
      expect(res.statusCode, name).toBe(401);
      expect(Object.keys(res.json().errors), name).toEqual(['token']);
      expect((await app.request('POST', '/articles', { ...bearer(token), body: ARTICLE })).statusCode, name).toBe(401);
    }
    expect((await currentUser(refused.expired)).json()).toEqual({ errors: { token: ['has expired'] } });
  });

  it('follows a key rotation: old tokens still verify, a token of the new key is accepted after a refetch', async () => {
    // Only the clock is faked: an unknown kid refetches the key set at most once per 30 s.
    vi.useFakeTimers({ toFake: ['Date'] });
    const old = await issuer.sign({ sub: 'rotating' });
    expect((await currentUser(old)).statusCode).toBe(200);
    const fetched = issuer.requests.jwks;
    await issuer.rotate();
    vi.setSystemTime(Date.now() + 31_000);
    const fresh = await issuer.sign({ sub: 'rotating' });
    expect((await currentUser(fresh)).statusCode).toBe(200);
    expect(issuer.requests.jwks).toBe(fetched + 1);
    expect((await currentUser(old)).statusCode).toBe(200);
  });

  it('refuses tokens of a revoked user: logout-all applies to provider tokens too', async () => {
    const token = await issuer.sign({ sub: 'leaving', iat: Math.floor(Date.now() / 1000) - 5 });
    expect((await currentUser(token)).statusCode).toBe(200);
    expect((await app.request('POST', '/user/logout-all', bearer(token))).statusCode).toBe(204);
    expect((await currentUser(token)).json()).toEqual({ errors: { token: ['has been revoked'] } });
  });
});

describe('OpenID Connect roles and outages', () => {
  it('with OIDC_ROLES_CLAIM, an admin entry makes an admin (one audit line) who may delete another’s article', async () => {
    await start({ oidcRolesClaim: 'realm_access.roles' });
    const author = await app.register('author');
    const slug = await app.article(author);
    const plain = await issuer.sign({ sub: 'plain', realm_access: { roles: ['reader'] } });
    expect((await app.request('DELETE', `/articles/${slug}`, bearer(plain))).statusCode).toBe(403);
    const admin = await issuer.sign({ sub: 'boss', preferred_username: 'boss', realm_access: { roles: ['reader', 'admin'] } });
    expect((await app.request('DELETE', `/articles/${slug}`, bearer(admin))).statusCode).toBe(204);
    expect(app.auditLines()).toContainEqual(
      expect.objectContaining({ actor: `identity-provider:${issuer.issuer}`, action: 'role.grant', target: 'boss' }),
    );
    // The provider takes the role away again when its claim no longer lists it.
    const demoted = await issuer.sign({ sub: 'boss', realm_access: { roles: ['reader'] } });
    const slug2 = await app.article(author);
    expect((await app.request('DELETE', `/articles/${slug2}`, bearer(demoted))).statusCode).toBe(403);
  });

  it('without OIDC_ROLES_CLAIM, a roles claim grants nothing', async () => {
    await start();
    const author = await app.register('author');
    const slug = await app.article(author);
    const token = await issuer.sign({ sub: 'pretender', roles: ['admin'], realm_access: { roles: ['admin'] } });
    expect((await app.request('DELETE', `/articles/${slug}`, bearer(token))).statusCode).toBe(403);
  });

  it('answers 503 with Retry-After while the provider’s keys cannot be fetched, and the own tokens still work', async () => {
    issuer.failure = 'jwks-down';
    await start();
    const res = await currentUser(await issuer.sign());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.json()).toEqual({ errors: { token: ['cannot be checked right now'] } });
    const user = await app.register('own');
    expect((await app.request('GET', '/user', { token: user.token })).statusCode).toBe(200);
  });
});

describe('OIDC settings', () => {
  const env = { JWT_SECRET: 'x'.repeat(40), STORAGE: 'memory' };
  it('requires OIDC_AUDIENCE with OIDC_ISSUER, and OIDC_ISSUER for the others', () => {
    expect(() => loadConfig({ ...env, OIDC_ISSUER: 'https://id.example/realms/a' })).toThrow(/OIDC_AUDIENCE is required/);
    expect(() => loadConfig({ ...env, OIDC_ROLES_CLAIM: 'roles' })).toThrow(/need OIDC_ISSUER/);
    const config = loadConfig({ ...env, OIDC_ISSUER: 'https://id.example/realms/a', OIDC_AUDIENCE: 'api', OIDC_ALGORITHMS: 'RS256,ES256' });
    expect(config).toMatchObject({ oidcIssuer: 'https://id.example/realms/a', oidcAudience: 'api', oidcAlgorithms: 'RS256,ES256' });
  });

  it('refuses to start with a plain-http remote issuer or a symmetric algorithm', async () => {
    await expect(SecureApp.start({ oidcIssuer: 'http://id.example/realms/a', oidcAudience: 'api' })).rejects.toThrow(/OIDC_ISSUER/);
    await expect(
      SecureApp.start({ oidcIssuer: issuer.issuer, oidcAudience: 'api', oidcAlgorithms: 'RS256,HS256' }),
    ).rejects.toThrow(/OIDC_ALGORITHMS/);
  });
});
