import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OidcAccessTokenVerifier } from '../../src/adapters/security/oidc/oidc-access-token-verifier.js';

/**
 * The verifier against a real OpenID provider (the oidc-provider package) serving on a
 * loopback port: its discovery document, its JWKS and the RFC 9068 access tokens it
 * issues through the client-credentials grant, with nothing hand-made.
 */
const API = 'https://api.conduit.test';
const CLIENT = { id: 'conduit-tests', secret: 'a-client-secret-used-only-in-tests' };

let server: Server;
let issuer: string;

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
}

/** A provider instance for the shared issuer URL; swapping instances is how the provider "rotates" its keys. */
function providerWith(keys: JWK[]): RequestListener {
  const resource = (audience: string) => ({ scope: 'api', audience, accessTokenFormat: 'jwt' as const, jwt: { sign: { alg: 'ES256' as const } } });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: keys as never },
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        getResourceServerInfo: (_ctx, indicator) => resource(indicator),
      },
    },
    extraTokenClaims: () => ({ realm_access: { roles: ['service'] } }),
  });
  return provider.callback();
}

let listener: RequestListener = () => undefined;

async function accessToken(resource = API): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || body.access_token === undefined) throw new Error(`token request failed: ${response.status}`);
  return body.access_token;
}

beforeAll(async () => {
  server = createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('OidcAccessTokenVerifier with a real OpenID provider', () => {
  it('accepts the access tokens it issues for this API and reads the configured roles claim', async () => {
    listener = providerWith([await signingKey('k1')]);
    const verifier = new OidcAccessTokenVerifier({ issuer, audiences: [API], rolesClaim: 'realm_access.roles' });
    expect(await verifier.warmUp()).toBe(true);
    const result = await verifier.verify(await accessToken());
    expect(result.isOk() && result.value).toEqual({ issuer, subject: CLIENT.id, emailVerified: false, roles: ['service'] });
  });

  it('refuses its tokens for another resource', async () => {
    listener = providerWith([await signingKey('k1')]);
    const verifier = new OidcAccessTokenVerifier({ issuer, audiences: [API] });
    const result = await verifier.verify(await accessToken('https://other-api.conduit.test'));
    expect(result.isErr() && result.error.code).toBe('TOKEN.WRONG_AUDIENCE');
  });

  it('follows the provider to a new key without a restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const k1 = await signingKey('k1');
      listener = providerWith([k1]);
      const verifier = new OidcAccessTokenVerifier({ issuer, audiences: [API] });
      const before = await accessToken();
      expect((await verifier.verify(before)).isOk()).toBe(true);

      listener = providerWith([await signingKey('k2')]);
      vi.setSystemTime(Date.now() + 31_000);
      expect((await verifier.verify(await accessToken())).isOk()).toBe(true);
      const old = await verifier.verify(before);
      expect(old.isErr() && old.error.code).toBe('TOKEN.UNKNOWN_KEY');
    } finally {
      vi.useRealTimers();
    }
  });
});
