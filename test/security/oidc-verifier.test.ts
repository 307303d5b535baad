import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OidcLogger } from '../../src/adapters/security/oidc/issuer-keys.js';
import { OidcAccessTokenVerifier } from '../../src/adapters/security/oidc/oidc-access-token-verifier.js';
import { OidcConfigurationError, type OidcSettings } from '../../src/adapters/security/oidc/oidc-settings.js';
import type { TokenRejectionCode } from '../../src/adapters/security/oidc/token-rejection.js';
import { OidcTestIssuer } from '../support/oidc-test-issuer.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Only `Date` is faked: jose's key cache and the verifier read the time from it, real I/O keeps its own timers. */
const advanceSeconds = (seconds: number): void => {
  vi.setSystemTime(Date.now() + seconds * 1000);
};

function recordingLogger(): OidcLogger & { readonly lines: { level: string; details: object; message: string }[] } {
  const lines: { level: string; details: object; message: string }[] = [];
  const record = (level: string) => (details: object, message: string) => void lines.push({ level, details, message });
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

let issuer: OidcTestIssuer;

const verifierFor = (overrides: Partial<OidcSettings> = {}, logger?: OidcLogger) =>
  new OidcAccessTokenVerifier({ issuer: issuer.issuer, audiences: [issuer.audience], ...overrides }, logger);

async function rejectionOf(verifier: OidcAccessTokenVerifier, token: string): Promise<TokenRejectionCode> {
  const result = await verifier.verify(token);
  if (result.isOk()) throw new Error('the token was accepted');
  if (token.length >= 16) expect(result.error.message).not.toContain(token.slice(0, 16));
  return result.error.code;
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  issuer = await OidcTestIssuer.start();
});

afterEach(async () => {
  vi.useRealTimers();
  await issuer.close();
});

describe('OidcAccessTokenVerifier: a good token', () => {
  it('accepts a token from the provider and answers who it names', async () => {
    const verifier = verifierFor();
    const token = await issuer.sign({ email: 'ada@example.test', email_verified: true, preferred_username: 'ada' });
    const result = await verifier.verify(token);
    expect(result.isOk() && result.value).toEqual({
      issuer: issuer.issuer,
      subject: 'external-user-1',
      email: 'ada@example.test',
      emailVerified: true,
      preferredUsername: 'ada',
      roles: [],
    });
    expect(issuer.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('accepts an audience list that contains this API, and any configured audience', async () => {
    expect((await verifierFor().verify(await issuer.sign({ aud: ['other-api', issuer.audience] }))).isOk()).toBe(true);
    const either = verifierFor({ audiences: ['first-api', issuer.audience] });
    expect((await either.verify(await issuer.sign())).isOk()).toBe(true);
  });

  it('does not call an unverified e-mail verified', async () => {
    const result = await verifierFor().verify(await issuer.sign({ email: 'ada@example.test', email_verified: false }));
    expect(result.isOk() && result.value).toMatchObject({ email: 'ada@example.test', emailVerified: false });
    const noEmail = await verifierFor().verify(await issuer.sign({ email_verified: true }));
    expect(noEmail.isOk() && noEmail.value.emailVerified).toBe(false);
  });

  it('accepts typ at+jwt, application/at+jwt and JWT in any case', async () => {
    const verifier = verifierFor();
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', 'jwt'])
      expect((await verifier.verify(await issuer.sign({}, { typ }))).isOk(), typ).toBe(true);
  });

  it('verifies ES256 and EdDSA keys as well as RSA', async () => {
    const verifier = verifierFor();
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    await issuer.rotate('ES256');
    await issuer.rotate('EdDSA');
    advanceSeconds(31);
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    expect((await verifier.verify(await issuer.sign({}, { kid: 'key-2-ES256' }))).isOk()).toBe(true);
  });
});

describe('OidcAccessTokenVerifier: claims', () => {
  it('refuses another issuer without asking the provider anything', async () => {
    const verifier = verifierFor();
    const token = await issuer.sign({ iss: 'https://evil.example.test' });
    expect(await rejectionOf(verifier, token)).toBe('TOKEN.WRONG_ISSUER');
    expect(await rejectionOf(verifier, await issuer.sign({ iss: `${issuer.issuer}/` }))).toBe('TOKEN.WRONG_ISSUER');
    expect(await rejectionOf(verifier, await issuer.sign({}, { omit: ['iss'] }))).toBe('TOKEN.WRONG_ISSUER');
    expect(issuer.requests).toEqual({ discovery: 0, jwks: 0 });
  });

  it('refuses a token meant for another audience, or for none', async () => {
    const verifier = verifierFor();
    expect(await rejectionOf(verifier, await issuer.sign({ aud: 'other-api' }))).toBe('TOKEN.WRONG_AUDIENCE');
    expect(await rejectionOf(verifier, await issuer.sign({ aud: ['a', 'b'] }))).toBe('TOKEN.WRONG_AUDIENCE');
    expect(await rejectionOf(verifier, await issuer.sign({}, { omit: ['aud'] }))).toBe('TOKEN.WRONG_AUDIENCE');
  });

  it('refuses an expired token, but allows the configured clock skew', async () => {
    const verifier = verifierFor({ clockSkewSeconds: 30 });
    const now = Math.floor(Date.now() / 1000);
    expect(await rejectionOf(verifier, await issuer.sign({ iat: now - 600, exp: now - 31 }))).toBe('TOKEN.EXPIRED');
    expect((await verifier.verify(await issuer.sign({ iat: now - 600, exp: now - 20 }))).isOk()).toBe(true);
    const token = await issuer.sign();
    advanceSeconds(300 + 31);
    expect(await rejectionOf(verifier, token)).toBe('TOKEN.EXPIRED');
  });

  it('requires exp', async () => {
    expect(await rejectionOf(verifierFor(), await issuer.sign({}, { omit: ['exp'] }))).toBe('TOKEN.INVALID_CLAIMS');
    expect(await rejectionOf(verifierFor(), await issuer.sign({ exp: 'tomorrow' as never }))).toBe('TOKEN.INVALID_CLAIMS');
  });

  it('refuses a token that is not valid yet, beyond the skew', async () => {
    const verifier = verifierFor({ clockSkewSeconds: 30 });
    const now = Math.floor(Date.now() / 1000);
    expect(await rejectionOf(verifier, await issuer.sign({ nbf: now + 120 }))).toBe('TOKEN.NOT_YET_VALID');
    expect((await verifier.verify(await issuer.sign({ nbf: now + 20 }))).isOk()).toBe(true);
  });

  it('refuses a token issued in the future, beyond the skew', async () => {
    const verifier = verifierFor({ clockSkewSeconds: 30 });
    const now = Math.floor(Date.now() / 1000);
    expect(await rejectionOf(verifier, await issuer.sign({ iat: now + 120 }))).toBe('TOKEN.INVALID_CLAIMS');
    expect(await rejectionOf(verifier, await issuer.sign({ iat: 'now' as never }))).toBe('TOKEN.INVALID_CLAIMS');
    expect((await verifier.verify(await issuer.sign({ iat: now + 20 }))).isOk()).toBe(true);
  });

  it('requires a subject that is a printable string of at most 255 characters', async () => {
    const verifier = verifierFor();
    expect(await rejectionOf(verifier, await issuer.sign({}, { omit: ['sub'] }))).toBe('TOKEN.INVALID_CLAIMS');
    for (const sub of ['', 'x'.repeat(256), 'user\u0000admin', 'line\nbreak', 42, ['a'], { id: 'a' }, null])
      expect(await rejectionOf(verifier, await issuer.sign({ sub: sub as never })), JSON.stringify(sub)).toBe(
        'TOKEN.INVALID_CLAIMS',
      );
    expect((await verifier.verify(await issuer.sign({ sub: 'x'.repeat(255) }))).isOk()).toBe(true);
  });

  it('reads roles from the configured claim path, ignoring entries that are not role names', async () => {
    const realm = verifierFor({ rolesClaim: 'realm_access.roles' });
    const token = await issuer.sign({ realm_access: { roles: ['admin', 'user', 42, '', 'admin', 'x'.repeat(300)] } });
    const result = await realm.verify(token);
    expect(result.isOk() && result.value.roles).toEqual(['admin', 'user']);

    const flat = verifierFor({ rolesClaim: 'roles' });
    const flatResult = await flat.verify(await issuer.sign({ roles: ['editor'] }));
    expect(flatResult.isOk() && flatResult.value.roles).toEqual(['editor']);
    const spaced = await verifierFor({ rolesClaim: 'scope' }).verify(await issuer.sign({ scope: 'read write' }));
    expect(spaced.isOk() && spaced.value.roles).toEqual(['read', 'write']);

    const missing = await realm.verify(await issuer.sign({ roles: ['admin'] }));
    expect(missing.isOk() && missing.value.roles).toEqual([]);
    const unconfigured = await verifierFor().verify(token);
    expect(unconfigured.isOk() && unconfigured.value.roles).toEqual([]);
    const inherited = await verifierFor({ rolesClaim: 'realm_access.constructor' }).verify(token);
    expect(inherited.isOk() && inherited.value.roles).toEqual([]);
  });

  it('refuses a role list too long to be one', async () => {
    const roles = Array.from({ length: 257 }, (_, i) => `r${i}`);
    expect(await rejectionOf(verifierFor({ rolesClaim: 'roles' }), await issuer.sign({ roles }))).toBe('TOKEN.INVALID_CLAIMS');
  });
});

describe('OidcAccessTokenVerifier: token type and algorithms', () => {
  it('refuses a token without typ, or with a typ that is not an access token', async () => {
    const verifier = verifierFor();
    expect(await rejectionOf(verifier, await issuer.sign({}, { typ: null }))).toBe('TOKEN.WRONG_TYPE');
    for (const typ of ['logout+jwt', 'secevent+jwt', 'JOSE', 'application/jwt+json', 'id_token+jwt'])
      expect(await rejectionOf(verifier, await issuer.sign({}, { typ })), typ).toBe('TOKEN.WRONG_TYPE');
  });

  it('refuses an ID token presented as an access token', async () => {
    const idToken = await issuer.sign({ at_hash: 'x4Q8F1O2jJ1dQn1DkPzBSw', nonce: 'n-0S6_WzA2Mj' }, { typ: 'JWT' });
    expect(await rejectionOf(verifierFor(), idToken)).toBe('TOKEN.WRONG_TYPE');
    const codeFlow = await issuer.sign({ c_hash: 'LDktKdoQak3Pk0cnXxCltA' }, { typ: 'JWT' });
    expect(await rejectionOf(verifierFor(), codeFlow)).toBe('TOKEN.WRONG_TYPE');
  });

  it('refuses alg none, signed or not', async () => {
    const verifier = verifierFor();
    const input = `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(issuer.defaultClaims())}`;
    expect(await rejectionOf(verifier, `${input}.`)).toBe('TOKEN.MALFORMED');
    expect(await rejectionOf(verifier, `${input}.AAAA`)).toBe('TOKEN.ALGORITHM_NOT_ALLOWED');
    const noneUpper = `${b64url({ alg: 'None', typ: 'at+jwt' })}.${b64url(issuer.defaultClaims())}.AAAA`;
    expect(await rejectionOf(verifier, noneUpper)).toBe('TOKEN.ALGORITHM_NOT_ALLOWED');
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const verifier = verifierFor();
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    const input = `${b64url({ alg: 'HS256', typ: 'at+jwt', kid: issuer.currentKeyId })}.${b64url(issuer.defaultClaims())}`;
    for (const secret of [await issuer.publicKeyPem(), JSON.stringify(issuer.publicJwk()), String(issuer.publicJwk().n)]) {
      const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      expect(await rejectionOf(verifier, forged)).toBe('TOKEN.ALGORITHM_NOT_ALLOWED');
    }
  });

  it('refuses any symmetric algorithm with a well-formed signature, and any alg outside the allow-list', async () => {
    const verifier = verifierFor({ algorithms: ['RS256'] });
    for (const [alg, hash] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']] as const) {
      const input = `${b64url({ alg, typ: 'JWT' })}.${b64url(issuer.defaultClaims())}`;
      const token = `${input}.${createHmac(hash, 'a-secret-of-reasonable-length-0123456789').update(input).digest('base64url')}`;
      expect(await rejectionOf(verifier, token), alg).toBe('TOKEN.ALGORITHM_NOT_ALLOWED');
    }
    await issuer.rotate('ES256');
    expect(await rejectionOf(verifier, await issuer.sign())).toBe('TOKEN.ALGORITHM_NOT_ALLOWED');
  });

  it('refuses a token whose signature does not match the key its kid names', async () => {
    const verifier = verifierFor();
    const impostor = await OidcTestIssuer.start();
    try {
      // Same claims, same kid, another private key.
      const forged = await impostor.sign({ ...issuer.defaultClaims() }, { headerKid: issuer.currentKeyId });
      expect(await rejectionOf(verifier, forged)).toBe('TOKEN.BAD_SIGNATURE');
      const [header, , signature] = (await issuer.sign()).split('.');
      const tampered = `${header}.${b64url({ ...issuer.defaultClaims(), sub: 'admin' })}.${signature}`;
      expect(await rejectionOf(verifier, tampered)).toBe('TOKEN.BAD_SIGNATURE');
    } finally {
      await impostor.close();
    }
  });

  it('calls anything that is not a compact JWS malformed, without echoing it', async () => {
    const verifier = verifierFor();
    const jwe = 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d';
    const huge = `${b64url({ alg: 'RS256', typ: 'at+jwt' })}.${'A'.repeat(9000)}.AAAA`;
    for (const garbage of ['', 'abc', 'a.b', 'a.b.c', '...', 'a.b.c.', jwe, huge, '%%%.%%%.%%%', 'eyJ.eyJ.AAAA'])
      expect(await rejectionOf(verifier, garbage), garbage.slice(0, 30)).toBe('TOKEN.MALFORMED');
    expect(issuer.requests).toEqual({ discovery: 0, jwks: 0 });
  });
});

describe('OidcAccessTokenVerifier: keys', () => {
  it('refetches the key set for an unknown kid once per cool-down, and still refuses the token', async () => {
    const verifier = verifierFor({ jwksCooldownSeconds: 30 });
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    expect(issuer.requests.jwks).toBe(1);
    advanceSeconds(31);

    expect(await rejectionOf(verifier, await issuer.sign({}, { headerKid: 'made-up-1' }))).toBe('TOKEN.UNKNOWN_KEY');
    expect(issuer.requests.jwks).toBe(2);
    expect(await rejectionOf(verifier, await issuer.sign({}, { headerKid: 'made-up-2' }))).toBe('TOKEN.UNKNOWN_KEY');
    expect(await rejectionOf(verifier, await issuer.sign({}, { headerKid: 'made-up-3' }))).toBe('TOKEN.UNKNOWN_KEY');
    expect(issuer.requests.jwks).toBe(2);

    advanceSeconds(31);
    expect(await rejectionOf(verifier, await issuer.sign({}, { headerKid: 'made-up-4' }))).toBe('TOKEN.UNKNOWN_KEY');
    expect(issuer.requests).toEqual({ discovery: 1, jwks: 3 });
  });

  it('follows a key rotation without a restart, and refuses the old key once the provider drops it', async () => {
    const verifier = verifierFor();
    const oldKid = issuer.currentKeyId;
    const oldToken = await issuer.sign();
    expect((await verifier.verify(oldToken)).isOk()).toBe(true);

    await issuer.rotate();
    issuer.retire(oldKid);
    advanceSeconds(31);
    const newToken = await issuer.sign();
    expect((await verifier.verify(newToken)).isOk()).toBe(true);
    expect(issuer.requests.jwks).toBe(2);
    expect(await rejectionOf(verifier, oldToken)).toBe('TOKEN.UNKNOWN_KEY');
    expect((await verifier.verify(newToken)).isOk()).toBe(true);
  });

  it('keeps accepting a retired key only until its cached key set is older than the maximum age', async () => {
    const verifier = verifierFor({ jwksMaxAgeSeconds: 600 });
    const oldKid = issuer.currentKeyId;
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    await issuer.rotate();
    issuer.retire(oldKid);
    // The cached set still holds the old key: tokens signed with it pass until the set is refreshed.
    expect((await verifier.verify(await issuer.sign({}, { kid: oldKid }))).isOk()).toBe(true);
    advanceSeconds(601);
    expect(await rejectionOf(verifier, await issuer.sign({}, { kid: oldKid }))).toBe('TOKEN.UNKNOWN_KEY');
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    expect(issuer.requests.jwks).toBe(2);
  });
});

describe('OidcAccessTokenVerifier: an unreachable or inconsistent provider', () => {
  it('starts without the provider, refuses its tokens as unavailable without hammering it, and recovers', async () => {
    issuer.failure = 'discovery-down';
    const logger = recordingLogger();
    const verifier = verifierFor({ retryAfterFailureSeconds: 10 }, logger);
    expect(await verifier.warmUp()).toBe(false);
    const token = await issuer.sign();
    const first = await verifier.verify(token);
    expect(first.isErr() && first.error).toEqual({
      kind: 'unavailable',
      code: 'TOKEN.ISSUER_UNAVAILABLE',
      message: 'cannot be checked right now',
    });
    for (let i = 0; i < 5; i += 1) expect(await rejectionOf(verifier, token)).toBe('TOKEN.ISSUER_UNAVAILABLE');
    expect(issuer.requests.discovery).toBe(1);
    expect(logger.lines.some((line) => line.level === 'error' && /discovery failed/.test(line.message))).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toContain(token);

    issuer.failure = 'none';
    expect(await rejectionOf(verifier, token)).toBe('TOKEN.ISSUER_UNAVAILABLE');
    advanceSeconds(11);
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    expect(issuer.requests.discovery).toBe(2);
  });

  it('refuses tokens as unavailable while nothing listens at the issuer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = new OidcAccessTokenVerifier({ issuer: `http://127.0.0.1:${port}`, audiences: ['api'] });
    expect(await verifier.warmUp()).toBe(false);
    const token = `${b64url({ alg: 'RS256', typ: 'at+jwt' })}.${b64url({ iss: `http://127.0.0.1:${port}` })}.AAAA`;
    expect(await rejectionOf(verifier, token)).toBe('TOKEN.ISSUER_UNAVAILABLE');
  });

  it('refuses a discovery document that names another issuer', async () => {
    issuer.discoveryOverride = { issuer: 'https://someone-else.example.test' };
    const logger = recordingLogger();
    const verifier = verifierFor({}, logger);
    expect(await rejectionOf(verifier, await issuer.sign())).toBe('TOKEN.ISSUER_UNAVAILABLE');
    expect(issuer.requests.jwks).toBe(0);
    expect(logger.lines.map((line) => JSON.stringify(line.details)).join()).toContain('someone-else');
  });

  it('refuses a jwks_uri over plain http to a remote host, or missing', async () => {
    issuer.discoveryOverride = { jwks_uri: 'http://keys.example.test/jwks' };
    expect(await rejectionOf(verifierFor(), await issuer.sign())).toBe('TOKEN.ISSUER_UNAVAILABLE');
    issuer.discoveryOverride = { jwks_uri: undefined };
    advanceSeconds(11);
    expect(await rejectionOf(verifierFor(), await issuer.sign())).toBe('TOKEN.ISSUER_UNAVAILABLE');
    expect(issuer.requests.jwks).toBe(0);
  });

  it('backs off after a failed key fetch instead of fetching once per request', async () => {
    const verifier = verifierFor({ retryAfterFailureSeconds: 10 });
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    issuer.failure = 'jwks-down';
    advanceSeconds(601);
    const token = await issuer.sign();
    for (let i = 0; i < 5; i += 1) expect(await rejectionOf(verifier, token)).toBe('TOKEN.ISSUER_UNAVAILABLE');
    expect(issuer.requests.jwks).toBe(2);
    issuer.failure = 'none';
    advanceSeconds(11);
    expect((await verifier.verify(await issuer.sign())).isOk()).toBe(true);
    expect(issuer.requests.jwks).toBe(3);
  });
});

describe('OidcAccessTokenVerifier: configuration', () => {
  const make = (settings: Partial<OidcSettings>) => () =>
    new OidcAccessTokenVerifier({ issuer: 'https://idp.example.test', audiences: ['api'], ...settings });

  it('refuses an issuer over plain http unless it is a loopback address', () => {
    for (const bad of ['http://idp.example.test', 'http://10.0.0.5:8080/realms/x', 'http://127.example.test', 'ftp://idp.example.test', 'idp.example.test'])
      expect(make({ issuer: bad }), bad).toThrow(OidcConfigurationError);
    expect(make({ issuer: 'http://idp.example.test' })).toThrow(/OIDC_ISSUER must use https/);
    for (const good of ['https://idp.example.test/realms/x', 'http://localhost:8080', 'http://127.0.0.2:9000/x', 'http://[::1]:8080'])
      expect(make({ issuer: good }), good).not.toThrow();
  });

  it('refuses an issuer with credentials, a query or a fragment', () => {
    for (const bad of ['https://user:pw@idp.example.test', 'https://idp.example.test/?tenant=a', 'https://idp.example.test/#x'])
      expect(make({ issuer: bad }), bad).toThrow(OidcConfigurationError);
  });

  it('requires an audience', () => {
    expect(make({ audiences: [] })).toThrow(/OIDC_AUDIENCE is required/);
    expect(make({ audiences: [' '] })).toThrow(OidcConfigurationError);
  });

  it('allows only asymmetric algorithms', () => {
    for (const algorithms of [['HS256'], ['RS256', 'HS512'], ['none'], [], ['rs256']])
      expect(make({ algorithms }), algorithms.join()).toThrow(OidcConfigurationError);
    expect(make({ algorithms: ['ES256', 'PS384', 'EdDSA'] })).not.toThrow();
  });

  it('bounds the clock skew and checks the roles claim path', () => {
    expect(make({ clockSkewSeconds: 3600 })).toThrow(/OIDC_CLOCK_SKEW_S/);
    expect(make({ clockSkewSeconds: -1 })).toThrow(OidcConfigurationError);
    for (const rolesClaim of ['realm_access..roles', '.roles', 'roles[0]', 'a b'])
      expect(make({ rolesClaim }), rolesClaim).toThrow(/OIDC_ROLES_CLAIM/);
    expect(make({ rolesClaim: 'resource_access.conduit-api.roles' })).not.toThrow();
  });
});
