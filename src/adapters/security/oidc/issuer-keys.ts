import { createRemoteJWKSet, customFetch, type FetchImplementation, type JWTVerifyGetKey } from 'jose';
import { fetchBounded, fetchJsonObject, IssuerUnreachableError } from './bounded-fetch.js';
import type { ResolvedOidcSettings } from './oidc-settings.js';
import { insecureUrlProblem } from './url-rules.js';

/** Where the verifier reports what it could not fetch; the pino logger fits. */
export interface OidcLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const silent: OidcLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** OpenID Connect Discovery 1.0 §4: the issuer with any trailing slash removed, then the well-known path. */
const discoveryUrl = (issuer: string): string => `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

/**
 * The provider's signing keys, found through discovery and kept by jose's remote key set:
 * cached, refetched when older than the maximum age, and refetched on an unknown `kid` at
 * most once per cool-down, so key rotation needs no restart and a stream of made-up key
 * ids costs the provider one request per cool-down.
 *
 * Every request to the provider goes through `fetchBounded` (timeout, no redirects, size
 * cap). After any failure no request is made for `retryAfterFailureMs`: while the
 * provider is down, tokens are refused as "issuer unavailable" at once instead of each
 * request waiting for a timeout, and the provider is not hit once per client request.
 * Time is `Date.now()` throughout, because that is what jose's cache uses.
 */
export class IssuerKeys {
  private keySet: (JWTVerifyGetKey & { reload(): Promise<void> }) | undefined;
  private pending: Promise<JWTVerifyGetKey | undefined> | undefined;
  /** No request to the provider before this instant (ms since the epoch). */
  private quietUntil = 0;

  constructor(
    private readonly settings: ResolvedOidcSettings,
    private readonly logger: OidcLogger = silent,
  ) {}

  /** The key resolver for `jwtVerify`, or undefined while discovery has not succeeded. Never rejects. */
  async resolver(): Promise<JWTVerifyGetKey | undefined> {
    if (this.keySet !== undefined) return this.keySet;
    if (Date.now() < this.quietUntil) return undefined;
    this.pending ??= this.discover().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Discovers the issuer and loads its keys now; true when both worked. Never rejects. */
  async warmUp(): Promise<boolean> {
    const keys = await this.resolver();
    if (keys === undefined || this.keySet === undefined) return false;
    try {
      await this.keySet.reload();
      return true;
    } catch {
      return false;
    }
  }

  private async discover(): Promise<JWTVerifyGetKey | undefined> {
    const { issuer, httpTimeoutMs } = this.settings;
    const url = discoveryUrl(issuer);
    try {
      const metadata = await fetchJsonObject(url, { timeoutMs: httpTimeoutMs });
      const jwksUri = this.jwksUriOf(metadata);
      this.keySet = createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: httpTimeoutMs,
        cooldownDuration: this.settings.jwksCooldownMs,
        cacheMaxAge: this.settings.jwksMaxAgeMs,
        [customFetch]: this.fetchKeys,
      });
      this.logger.info({ issuer, jwksUri }, 'OpenID provider discovered');
      return this.keySet;
    } catch (error) {
      this.quietUntil = Date.now() + this.settings.retryAfterFailureMs;
      this.logger.error(
        { issuer, discovery: url, reason: (error as Error).message, retryInMs: this.settings.retryAfterFailureMs },
        'OpenID provider discovery failed: its tokens are refused until it succeeds',
      );
      return undefined;
    }
  }

  /**
   * The metadata must name exactly the configured issuer (OpenID Connect Discovery §4.3:
   * otherwise anyone who can serve that URL could vouch for another issuer), and its key
   * set must be fetched as safely as the metadata was.
   */
  private jwksUriOf(metadata: Record<string, unknown>): string {
    const { issuer } = this.settings;
    if (metadata.issuer !== issuer)
      throw new IssuerUnreachableError(
        `discovery names issuer ${JSON.stringify(metadata.issuer)}, not the configured ${JSON.stringify(issuer)}`,
      );
    const jwksUri = metadata.jwks_uri;
    if (typeof jwksUri !== 'string') throw new IssuerUnreachableError('discovery has no jwks_uri');
    const problem = insecureUrlProblem(jwksUri);
    if (problem !== undefined) throw new IssuerUnreachableError(`jwks_uri ${problem}: ${jwksUri}`);
    if (new URL(jwksUri).protocol === 'http:' && new URL(issuer).protocol !== 'http:')
      throw new IssuerUnreachableError(`jwks_uri must use https like the issuer: ${jwksUri}`);
    return jwksUri;
  }

  /** jose's fetch hook: the bounded fetch, a JWKS shape check, and the quiet period after failures. */
  private readonly fetchKeys: FetchImplementation = async (url, options) => {
    if (Date.now() < this.quietUntil) throw new IssuerUnreachableError('a recent request to the provider failed');
    try {
      const { body } = await fetchBounded(url, { timeoutMs: this.settings.httpTimeoutMs, signal: options.signal });
      const parsed: unknown = JSON.parse(body);
      const keys = (parsed as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(keys)) throw new IssuerUnreachableError(`GET ${url} did not answer a JSON Web Key Set`);
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (error) {
      this.quietUntil = Date.now() + this.settings.retryAfterFailureMs;
      const reason = error instanceof SyntaxError ? `GET ${url} did not answer JSON` : (error as Error).message;
      this.logger.warn({ issuer: this.settings.issuer, reason }, 'fetching the OpenID provider keys failed');
      throw error instanceof IssuerUnreachableError ? error : new IssuerUnreachableError(reason);
    }
  };
}
