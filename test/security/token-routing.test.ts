import { describe, expect, it } from 'vitest';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { routeToken } from '../../src/adapters/security/token-routing.js';
import { OidcTestIssuer } from '../support/oidc-test-issuer.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OIDC = 'https://idp.example.test/realms/conduit';
const issuers = { own: 'conduit-cqrs', oidc: OIDC };

describe('routeToken', () => {
  it('sends this service’s own tokens to the own verifier', () => {
    const own = new JwtTokenService(SECRET, 60).issue('0190a6b2-7c1e-7a3b-9c2d-1e2f3a4b5c6d');
    expect(routeToken(own, issuers)).toBe('own');
  });

  it('sends a token naming the provider as issuer, with an asymmetric alg, to the OIDC verifier', async () => {
    const issuer = await OidcTestIssuer.start();
    try {
      expect(routeToken(await issuer.sign(), { own: 'conduit-cqrs', oidc: issuer.issuer })).toBe('oidc');
    } finally {
      await issuer.close();
    }
  });

  it('keeps everything else on the own verifier, which refuses what it did not sign', () => {
    const claims = { iss: OIDC, sub: 'x' };
    expect(routeToken(`${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`, issuers)).toBe('own');
    expect(routeToken(`${b64url({ alg: 'hs512' })}.${b64url(claims)}.sig`, issuers)).toBe('own');
    expect(routeToken(`${b64url({ alg: 'RS256' })}.${b64url({ ...claims, iss: `${OIDC}/` })}.sig`, issuers)).toBe('own');
    expect(routeToken(`${b64url({ alg: 'RS256' })}.${b64url({ sub: 'x' })}.sig`, issuers)).toBe('own');
    expect(routeToken(`${b64url({ typ: 'JWT' })}.${b64url(claims)}.sig`, issuers)).toBe('own');
    for (const garbage of ['', 'abc', '...', 'a.b.c', `${b64url([1])}.${b64url(claims)}.x`, `${b64url('x')}.${b64url(null)}.x`])
      expect(routeToken(garbage, issuers), garbage).toBe('own');
  });

  it('routes nothing to OIDC when no provider is configured', () => {
    const token = `${b64url({ alg: 'RS256' })}.${b64url({ iss: OIDC })}.sig`;
    expect(routeToken(token, issuers)).toBe('oidc');
    expect(routeToken(token, { own: 'conduit-cqrs' })).toBe('own');
  });
});
