import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { Err, Ok, type Result } from 'ts-results-es';
import { IssuerUnreachableError } from './bounded-fetch.js';
import { identityOf, rolesAt, validSubject, type ExternalIdentity } from './external-identity.js';
import { IssuerKeys, type OidcLogger } from './issuer-keys.js';
import { resolveOidcSettings, type OidcSettings, type ResolvedOidcSettings } from './oidc-settings.js';
import { rejection, type TokenRejection, type TokenRejectionCode } from './token-rejection.js';

/** Verifies bearer access tokens from an external identity provider. */
export interface AccessTokenVerifier {
  /** Never rejects: every bad or uncheckable token is an answer. */
  verify(token: string): Promise<Result<ExternalIdentity, TokenRejection>>;
}
export const AccessTokenVerifier = Symbol.for('AccessTokenVerifier');

/**
 * Provider access tokens run to a few kilobytes (role lists); above this nothing is
 * decoded. The HTTP adapter's own header limit must be at least this.
 */
const MAX_ACCESS_TOKEN_LENGTH = 8192;

/** JWS compact serialisation with three non-empty base64url parts (JWE and unsigned tokens are not). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** RFC 9068 access tokens say `at+jwt`; many providers still say `JWT`. Compared case-insensitively, `application/` optional. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'jwt']);

/**
 * Claims only an ID token carries (OpenID Connect Core §3.1.3.6, §3.3.2.11): an ID token
 * proves a login to a client, it is not a credential for an API, even when a
 * misconfigured audience would let it through.
 */
const ID_TOKEN_CLAIMS = ['at_hash', 'c_hash'] as const;

/**
 * OpenID Connect access tokens, checked in order of cost: shape, `typ`, `alg` and the
 * unverified `iss` need no key, so tokens that fail them never cause a request to the
 * provider; then the signature with the provider's key for the token's `kid`, and the
 * claims: `iss` and `aud` exact, `exp` required, `nbf`, `iat` not in the future, `sub`
 * present and bounded, all with the configured clock skew.
 */
export class OidcAccessTokenVerifier implements AccessTokenVerifier {
  private readonly settings: ResolvedOidcSettings;
  private readonly keys: IssuerKeys;
  private readonly logger: OidcLogger | undefined;

  /** Throws OidcConfigurationError on an unsafe setting (plain http to a remote issuer, HS* algorithms, no audience). */
  constructor(settings: OidcSettings, logger?: OidcLogger) {
    this.settings = resolveOidcSettings(settings);
    this.keys = new IssuerKeys(this.settings, logger);
    this.logger = logger;
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /**
   * Discovers the provider and loads its keys; resolves false (and logs why) when it
   * cannot, so the server can start anyway: the provider's tokens are refused as
   * "issuer unavailable" until a later attempt works.
   */
  warmUp(): Promise<boolean> {
    return this.keys.warmUp();
  }

  async verify(token: string): Promise<Result<ExternalIdentity, TokenRejection>> {
    const precheck = this.precheck(token);
    if (precheck !== undefined) return Err(rejection(precheck));
    const keys = await this.keys.resolver();
    if (keys === undefined) return Err(rejection('TOKEN.ISSUER_UNAVAILABLE'));
    const verified = await this.checkSignatureAndClaims(token, keys);
    if (verified.isErr()) return verified;
    return this.identity(verified.value);
  }

  /** What can be refused without a key; undefined when the token is worth a signature check. */
  private precheck(token: string): TokenRejectionCode | undefined {
    if (typeof token !== 'string' || token.length > MAX_ACCESS_TOKEN_LENGTH || !COMPACT_JWS.test(token))
      return 'TOKEN.MALFORMED';
    let header: ReturnType<typeof decodeProtectedHeader>;
    let payload: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      payload = decodeJwt(token);
    } catch {
      return 'TOKEN.MALFORMED';
    }
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (typ === undefined || !ACCESS_TOKEN_TYPES.has(typ)) return 'TOKEN.WRONG_TYPE';
    if (typeof header.alg !== 'string' || !this.settings.algorithms.includes(header.alg)) return 'TOKEN.ALGORITHM_NOT_ALLOWED';
    if (payload.iss !== this.settings.issuer) return 'TOKEN.WRONG_ISSUER';
    if (ID_TOKEN_CLAIMS.some((claim) => Object.hasOwn(payload, claim))) return 'TOKEN.WRONG_TYPE';
    return undefined;
  }

  private async checkSignatureAndClaims(token: string, keys: JWTVerifyGetKey): Promise<Result<JWTPayload, TokenRejection>> {
    const { issuer, audiences, algorithms, clockSkewSeconds } = this.settings;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience: [...audiences],
        algorithms: [...algorithms],
        clockTolerance: clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return Ok(payload);
    } catch (error) {
      const code = codeOf(error);
      if (code !== undefined) return Err(rejection(code));
      // A library failure nobody mapped: refused all the same, and worth a look.
      this.logger?.warn({ error: (error as Error)?.name, issuer }, 'unexpected error while verifying an access token');
      return Err(rejection('TOKEN.INVALID_CLAIMS'));
    }
  }

  private identity(payload: JWTPayload): Result<ExternalIdentity, TokenRejection> {
    const subject = validSubject(payload.sub);
    if (subject === undefined) return Err(rejection('TOKEN.INVALID_CLAIMS'));
    // jose checks that `iat` is a number but not that it is in the past.
    const now = Math.floor(Date.now() / 1000);
    if (payload.iat !== undefined && payload.iat > now + this.settings.clockSkewSeconds)
      return Err(rejection('TOKEN.INVALID_CLAIMS'));
    const claims = payload as Readonly<Record<string, unknown>>;
    const roles = rolesAt(claims, this.settings.rolesPath);
    if (roles === undefined) return Err(rejection('TOKEN.INVALID_CLAIMS'));
    return Ok(identityOf(this.settings.issuer, subject, claims, roles));
  }
}

/** jose's error codes, mapped to ours; undefined for an error nobody expected. */
function codeOf(error: unknown): TokenRejectionCode | undefined {
  if (error instanceof IssuerUnreachableError) return 'TOKEN.ISSUER_UNAVAILABLE';
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'TOKEN.EXPIRED';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf'
        ? 'TOKEN.NOT_YET_VALID'
        : claim === 'iss'
          ? 'TOKEN.WRONG_ISSUER'
          : claim === 'aud'
            ? 'TOKEN.WRONG_AUDIENCE'
            : 'TOKEN.INVALID_CLAIMS';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'TOKEN.UNKNOWN_KEY';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'TOKEN.BAD_SIGNATURE';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'TOKEN.ALGORITHM_NOT_ALLOWED';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWK_INVALID':
      return 'TOKEN.ISSUER_UNAVAILABLE';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'TOKEN.MALFORMED';
    default:
      return undefined;
  }
}
