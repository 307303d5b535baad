/** What a valid access token says. */
export interface TokenClaims {
  readonly userId: string;
}

export type TokenProblem = 'malformed' | 'expired' | 'invalid';

/** Issues and verifies the `Authorization: Token <jwt>` credentials of the HTTP adapter. */
export interface TokenService {
  issue(userId: string): string;
  /** Never throws: a bad token is an answer, not an exception. */
  verify(token: string): { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem };
}
