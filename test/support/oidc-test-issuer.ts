import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A minimal OpenID provider for tests, in the test process: it serves discovery and the
 * JWKS over real HTTP on a free loopback port, signs whatever claims a test asks for
 * with keys it can rotate and retire, and counts the requests it receives, so tests can
 * prove what the verifier fetched and when.
 */
interface IssuerKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export type IssuerFailure = 'none' | 'discovery-down' | 'jwks-down';

export interface SignOptions {
  /** Sign with this key (default: the current one); a retired key still signs. */
  readonly kid?: string;
  /** Put another `kid` in the header than the key that signs. */
  readonly headerKid?: string;
  readonly typ?: string | null;
  /** Claims to drop from the defaults (iss, aud, sub, iat, exp). */
  readonly omit?: readonly (keyof JWTPayload)[];
}

export class OidcTestIssuer {
  readonly requests = { discovery: 0, jwks: 0 };
  failure: IssuerFailure = 'none';
  /** Fields that replace the discovery document's (e.g. another `issuer`). */
  discoveryOverride: Record<string, unknown> = {};
  audience = 'conduit-api';
  private readonly keys = new Map<string, IssuerKey>();
  private readonly published = new Set<string>();
  private currentKid = '';
  private counter = 0;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  /** Starts on 127.0.0.1 with one published key; `path` makes the issuer URL carry a path, like Keycloak realms. */
  static async start(options: { alg?: string; path?: string } = {}): Promise<OidcTestIssuer> {
    let self: OidcTestIssuer | undefined;
    const server = createServer((req, res) => self?.handle(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new OidcTestIssuer(server, `http://127.0.0.1:${port}${options.path ?? '/realms/test'}`);
    await self.rotate(options.alg ?? 'RS256');
    return self;
  }

  get currentKeyId(): string {
    return this.currentKid;
  }

  /** Publishes a new key and signs with it from now on; the old keys stay published until retired. */
  async rotate(alg = 'RS256'): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `key-${++this.counter}-${alg}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    this.keys.set(kid, { kid, alg, privateKey, publicKey, publicJwk });
    this.published.add(kid);
    this.currentKid = kid;
    return kid;
  }

  /** Stops publishing a key (the provider dropped it); it can still sign, as a thief's copy would. */
  retire(kid: string): void {
    this.published.delete(kid);
  }

  async publicKeyPem(kid = this.currentKid): Promise<string> {
    return exportSPKI(this.key(kid).publicKey);
  }

  publicJwk(kid = this.currentKid): JWK {
    return this.key(kid).publicJwk;
  }

  /** Claims that pass every check, for `sub`, valid for five minutes. */
  defaultClaims(sub = 'external-user-1'): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    return { iss: this.issuer, aud: this.audience, sub, iat: now, exp: now + 300 };
  }

  /** A signed JWS: the default claims, overridden by `claims`, minus `omit`. */
  async sign(claims: JWTPayload = {}, options: SignOptions = {}): Promise<string> {
    const key = this.key(options.kid ?? this.currentKid);
    const payload: JWTPayload = { ...this.defaultClaims(), ...claims };
    for (const claim of options.omit ?? []) delete payload[claim];
    const header: Record<string, unknown> = { alg: key.alg, kid: options.headerKid ?? key.kid };
    if (options.typ !== null) header.typ = options.typ ?? 'at+jwt';
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private key(kid: string): IssuerKey {
    const key = this.keys.get(kid);
    if (key === undefined) throw new Error(`no key ${kid}`);
    return key;
  }

  private handle(url: string, res: import('node:http').ServerResponse): void {
    const path = new URL(url, this.issuer).pathname;
    const base = new URL(this.issuer).pathname.replace(/\/$/, '');
    if (path === `${base}/.well-known/openid-configuration`) {
      this.requests.discovery += 1;
      if (this.failure === 'discovery-down') return json(res, 503, { error: 'down' });
      return json(res, 200, {
        issuer: this.issuer,
        jwks_uri: `${this.issuer}/protocol/openid-connect/certs`,
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        ...this.discoveryOverride,
      });
    }
    if (path === `${base}/protocol/openid-connect/certs`) {
      this.requests.jwks += 1;
      if (this.failure === 'jwks-down') return json(res, 503, { error: 'down' });
      return json(res, 200, { keys: [...this.published].map((kid) => this.key(kid).publicJwk) });
    }
    json(res, 404, { error: 'not found' });
  }
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
