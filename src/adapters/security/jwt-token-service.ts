import { createSigner, createVerifier, TOKEN_ERROR_CODES } from 'fast-jwt';
import type { TokenClaims, TokenProblem, TokenService } from './token-service.js';

/** Below this an HS256 secret can be brute-forced offline from any one token. */
export const MIN_SECRET_LENGTH = 32;

type Verification = ReturnType<TokenService['verify']>;

/**
 * HS256 JWTs: `sub` is the user id, `iss` names this service, `exp` is always set.
 * Verification pins the algorithm (a token saying `alg: none` or RS256 is refused, so a
 * public key can never be used as an HMAC secret), the issuer and the expiry, and caches
 * verified tokens (bounded, never past their expiry) because every request re-presents
 * the same few tokens.
 */
export class JwtTokenService implements TokenService {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly decodeAndCheck: (token: string) => unknown;

  constructor(secret: string, ttlSeconds: number, issuer = 'conduit-cqrs') {
    if (secret.length < MIN_SECRET_LENGTH)
      throw new Error(`JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error('JWT lifetime must be a positive integer');
    this.sign = createSigner({ key: secret, algorithm: 'HS256', iss: issuer, expiresIn: ttlSeconds * 1000 });
    this.decodeAndCheck = createVerifier({
      key: secret,
      algorithms: ['HS256'],
      allowedIss: issuer,
      requiredClaims: ['sub', 'exp', 'iss'],
      cache: 1000,
    });
  }

  issue(userId: string): string {
    return this.sign({ sub: userId });
  }

  verify(token: string): Verification {
    let payload: unknown;
    try {
      payload = this.decodeAndCheck(token);
    } catch (error) {
      return { ok: false, problem: problemOf(error) };
    }
    const sub = (payload as { sub?: unknown } | null)?.sub;
    if (typeof sub !== 'string' || sub.length === 0) return { ok: false, problem: 'invalid' };
    const claims: TokenClaims = { userId: sub };
    return { ok: true, claims };
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
