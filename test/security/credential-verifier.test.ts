import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialVerifier } from '../../src/adapters/security/credential-verifier.js';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { OidcAccessTokenVerifier } from '../../src/adapters/security/oidc/oidc-access-token-verifier.js';
import { OidcTestIssuer } from '../support/oidc-test-issuer.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const USER = '0190a6b2-7c1e-7a3b-9c2d-1e2f3a4b5c6d';
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

let issuer: OidcTestIssuer;
let own: JwtTokenService;
let credentials: CredentialVerifier;

beforeEach(async () => {
  issuer = await OidcTestIssuer.start();
  own = new JwtTokenService(SECRET, 3600);
  credentials = new CredentialVerifier(own, new OidcAccessTokenVerifier({ issuer: issuer.issuer, audiences: [issuer.audience] }));
});

afterEach(() => issuer.close());

describe('CredentialVerifier', () => {
  it('verifies own tokens with the token service and provider tokens with the OIDC verifier', async () => {
    const mine = await credentials.verify(own.issue(USER));
    expect(mine.isOk() && mine.value).toMatchObject({ kind: 'own', claims: { userId: USER } });
    const theirs = await credentials.verify(await issuer.sign());
    expect(theirs.isOk() && theirs.value).toMatchObject({ kind: 'oidc', identity: { issuer: issuer.issuer, subject: 'external-user-1' } });
  });

  it('keeps the own tokens’ messages, in the common rejection shape', async () => {
    const garbage = await credentials.verify('not-a-jwt');
    expect(garbage.isErr() && garbage.error).toEqual({ kind: 'unauthenticated', code: 'TOKEN.MALFORMED', message: 'is malformed' });
    const foreign = await credentials.verify(new JwtTokenService(`${SECRET}-other`, 60).issue(USER));
    expect(foreign.isErr() && foreign.error).toEqual({ kind: 'unauthenticated', code: 'TOKEN.INVALID', message: 'is invalid' });
  });

  it('never lets a token choose a weaker check: HS256 naming the provider goes to the own service and fails', async () => {
    const hs = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...issuer.defaultClaims(), sub: USER })}.AAAA`;
    const result = await credentials.verify(hs);
    expect(result.isErr() && result.error.code).toBe('TOKEN.INVALID');
    expect(issuer.requests).toEqual({ discovery: 0, jwks: 0 });
  });

  it('answers provider outages as unavailable', async () => {
    issuer.failure = 'discovery-down';
    const result = await credentials.verify(await issuer.sign());
    expect(result.isErr() && result.error.kind).toBe('unavailable');
  });

  it('without a provider, sends every token to the own service', async () => {
    const ownOnly = new CredentialVerifier(own);
    const result = await ownOnly.verify(await issuer.sign());
    expect(result.isErr() && result.error.code).toBe('TOKEN.INVALID');
    expect(issuer.requests).toEqual({ discovery: 0, jwks: 0 });
  });
});
