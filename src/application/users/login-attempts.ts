/**
 * Failed logins counted per key (an e-mail, a client address…), in fixed windows, for the
 * login brute-force guard. A store that cannot be reached fails open: the guard must not
 * lock every user out because its counter store is down.
 */
export interface LoginFailures {
  /** Failures counted in the key's current window; 0 when none. */
  readonly failures: number;
  /** Whole seconds (rounded up) until that window ends; 0 when there is none. */
  readonly retryAfterS: number;
}

export interface LoginAttempts {
  /** For each key, in order, its failures and window (0/0 when none, or when the store is unreachable). Never rejects. */
  check(keys: readonly string[]): Promise<readonly LoginFailures[]>;
  /** Counts one failure for each key; a key's window starts at its first failure and lasts windowS seconds. Never rejects. */
  recordFailure(keys: readonly string[], windowS: number): Promise<void>;
  /** Forgets the keys' failures (after a successful login). Never rejects. */
  reset(keys: readonly string[]): Promise<void>;
}
export const LoginAttempts = Symbol.for('LoginAttempts');
