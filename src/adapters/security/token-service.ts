/** What a valid access token says. */
export interface TokenClaims {
  readonly userId: string;
  /**
   * When the token was issued, in whole seconds since the epoch (`iat`). Revocation is
   * "every token of this user issued before T is refused": compare `issuedAt < T`.
   */
  readonly issuedAt: number;
  /**
   * The issue time in milliseconds: the `iat_ms` claim of this service's tokens when it
   * agrees with `iat`, else `iat` × 1000. Revocation compares this, so a token issued
   * within the same second as a revocation, but before it, is refused too.
   */
  readonly issuedAtMs: number;
  /** The token's own id (`jti`); absent on tokens issued before ids were added. */
  readonly tokenId?: string;
}

export type TokenProblem = 'malformed' | 'expired' | 'invalid';

/** Issues and verifies the `Authorization: Token <jwt>` credentials of the HTTP adapter. */
export interface TokenService {
  issue(userId: string): string;
  /** Never throws: a bad token is an answer, not an exception. */
  verify(token: string): { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem };
}
