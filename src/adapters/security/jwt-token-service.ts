import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier, TOKEN_ERROR_CODES } from 'fast-jwt';
import type { TokenClaims, TokenProblem, TokenService } from './token-service.js';

/** Below this an HS256 secret can be brute-forced offline from any one token. */
const MIN_SECRET_LENGTH = 32;

/** The ids this system gives users: canonical lowercase UUIDs (version 1-8, RFC 9562 variant). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const isUuid = (value: string): boolean => UUID.test(value);

/** `jti` values this service issues are UUIDs; anything longer than this is not one of ours. */
const TOKEN_ID_MAX = 64;

export interface JwtTokenOptions {
  /** `iss` of issued tokens, required on verified ones. Default `conduit-cqrs`. */
  readonly issuer?: string;
  /**
   * The secret before the last rotation: tokens it signed still verify, nothing new is
   * signed with it. Remove it once every token it signed has expired (JWT_TTL after the
   * rotation).
   */
  readonly previousSecret?: string;
  /** What a well-formed user id looks like. Default: a canonical lowercase UUID. */
  readonly isUserId?: (value: string) => boolean;
  /** How far in the future `iat` may be (other replicas' clocks). Default 30 s. */
  readonly clockSkewSeconds?: number;
}

type Verification = ReturnType<TokenService['verify']>;
type Check = (token: string) => unknown;

/**
 * HS256 JWTs: `sub` is the user id, `iss` names this service, `iat`, `exp` and a random
 * `jti` are always set. Verification pins the algorithm (a token saying `alg: none` or
 * RS256 is refused, so a public key can never be used as an HMAC secret), the `typ`, the
 * issuer and the expiry; requires `iat` (revocation is decided from it); refuses a `sub`
 * that is not a user id before it reaches any store (a malformed id must be a 401, not a
 * database error); and caches verified tokens (bounded, never past their expiry) because
 * every request re-presents the same few tokens.
 */
export class JwtTokenService implements TokenService {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly checks: readonly Check[];
  private readonly isUserId: (value: string) => boolean;
  private readonly clockSkewSeconds: number;
  /** The `iss` of this service's tokens (what `routeToken` compares with). */
  readonly issuer: string;

  constructor(secret: string, ttlSeconds: number, options: JwtTokenOptions = {}) {
    const { issuer = 'conduit-cqrs', previousSecret, isUserId = isUuid, clockSkewSeconds = 30 } = options;
    if (secret.length < MIN_SECRET_LENGTH)
      throw new Error(`JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
    if (previousSecret !== undefined && previousSecret.length < MIN_SECRET_LENGTH)
      throw new Error(`the previous JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
    if (previousSecret === secret) throw new Error('the previous JWT secret must differ from the current one');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error('JWT lifetime must be a positive integer');
    this.sign = createSigner({ key: secret, algorithm: 'HS256', iss: issuer, expiresIn: ttlSeconds * 1000 });
    const checkWith = (key: string): Check =>
      createVerifier({
        key,
        algorithms: ['HS256'],
        allowedIss: issuer,
        checkTyp: 'jwt',
        requiredClaims: ['sub', 'exp', 'iss', 'iat'],
        cache: 1000,
      });
    this.checks = previousSecret === undefined ? [checkWith(secret)] : [checkWith(secret), checkWith(previousSecret)];
    this.issuer = issuer;
    this.isUserId = isUserId;
    this.clockSkewSeconds = clockSkewSeconds;
  }

  issue(userId: string): string {
    if (!this.isUserId(userId)) throw new Error('refusing to issue a token for a malformed user id');
    const now = Date.now();
    return this.sign({ sub: userId, jti: randomUUID(), iat: Math.floor(now / 1000), iat_ms: now });
  }

  verify(token: string): Verification {
    const checked = this.check(token);
    if (!checked.ok) return checked;
    const claims = this.claimsOf(checked.payload);
    return claims === undefined ? { ok: false, problem: 'invalid' } : { ok: true, claims };
  }

  /** The current secret first; the previous one only for a signature the current one did not make. */
  private check(token: string): { ok: true; payload: unknown } | { ok: false; problem: TokenProblem } {
    let last: unknown;
    for (const check of this.checks) {
      try {
        return { ok: true, payload: check(token) };
      } catch (error) {
        last = error;
        if ((error as { code?: unknown } | null)?.code !== TOKEN_ERROR_CODES.invalidSignature) break;
      }
    }
    return { ok: false, problem: problemOf(last) };
  }

  private claimsOf(payload: unknown): TokenClaims | undefined {
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { sub, iat, jti, iat_ms } = payload as { sub?: unknown; iat?: unknown; jti?: unknown; iat_ms?: unknown };
    if (typeof sub !== 'string' || !this.isUserId(sub)) return undefined;
    const now = Math.floor(Date.now() / 1000);
    if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0 || iat > now + this.clockSkewSeconds)
      return undefined;
    // Milliseconds only when they fall in the signed `iat` second; otherwise the second's start.
    const issuedAtMs =
      typeof iat_ms === 'number' && Number.isSafeInteger(iat_ms) && Math.floor(iat_ms / 1000) === iat ? iat_ms : iat * 1000;
    if (jti === undefined) return { userId: sub, issuedAt: iat, issuedAtMs };
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > TOKEN_ID_MAX) return undefined;
    return { userId: sub, issuedAt: iat, issuedAtMs, tokenId: jti };
  }
}

function problemOf(error: unknown): TokenProblem {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case TOKEN_ERROR_CODES.expired:
      return 'expired';
    case TOKEN_ERROR_CODES.malformed:
    case TOKEN_ERROR_CODES.invalidType:
      return 'malformed';
    default:
      return 'invalid';
  }
}
