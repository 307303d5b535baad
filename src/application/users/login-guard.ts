import { inject, injectable } from 'inversify';
import { rateLimitedError, type RateLimitedError } from '../../domain/index.js';
import { LoginAttempts } from './login-attempts.js';

export interface LoginGuardOptions {
  /** Failed logins for one account within a window before that account is refused; 0 turns the guard off. */
  readonly maxFailures: number;
  /**
   * Failed logins from one client address within a window before that address is refused;
   * higher than the account's, because one address may be many people (NAT, a proxy). 0: not counted.
   */
  readonly maxFailuresPerAddress: number;
  /** The window, in seconds, from a key's first failure. */
  readonly windowS: number;
}
export const LoginGuardOptions = Symbol.for('LoginGuardOptions');

export type TooManyLoginAttempts = RateLimitedError<'AUTH.TOO_MANY_ATTEMPTS'>;

const tooManyAttempts = (retryAfterS: number): TooManyLoginAttempts =>
  rateLimitedError('AUTH.TOO_MANY_ATTEMPTS', 'login', 'too many failed attempts, retry later', retryAfterS);

/**
 * The brute-force guard of login, independent of the general rate limit: failures are
 * counted per account (the normalised e-mail, known or not, so the answer never tells which
 * exist) and per client address, in fixed windows. While either is over its limit, logins
 * are refused without checking the password. A success forgets the account's failures (not
 * the address's: a valid account must not wash an address clean). The counters fail open:
 * when their store is unreachable nothing is refused.
 *
 * Check, then count: attempts racing each other may each pass the check, so a burst can
 * exceed the limit by the number of requests in flight at once, never more.
 */
@injectable()
export class LoginGuard {
  constructor(
    @inject(LoginAttempts) private readonly attempts: LoginAttempts,
    @inject(LoginGuardOptions) private readonly options: LoginGuardOptions,
  ) {}

  /** The refusal to answer instead of checking the password, or null. */
  async refusal(email: string, address: string | undefined): Promise<TooManyLoginAttempts | null> {
    const keyed = this.keys(email, address);
    if (keyed.length === 0) return null;
    const counted = await this.attempts.check(keyed.map(({ key }) => key));
    const retryAfterS = Math.max(
      0,
      ...counted.map((found, i) => (found.failures >= keyed[i]!.limit ? found.retryAfterS : 0)),
    );
    return retryAfterS > 0 ? tooManyAttempts(retryAfterS) : null;
  }

  async failed(email: string, address: string | undefined): Promise<void> {
    const keyed = this.keys(email, address);
    if (keyed.length > 0) await this.attempts.recordFailure(keyed.map(({ key }) => key), this.options.windowS);
  }

  async succeeded(email: string): Promise<void> {
    if (this.options.maxFailures > 0) await this.attempts.reset([accountKey(email)]);
  }

  private keys(email: string, address: string | undefined): { key: string; limit: number }[] {
    const { maxFailures, maxFailuresPerAddress } = this.options;
    if (maxFailures <= 0) return [];
    const keyed = [{ key: accountKey(email), limit: maxFailures }];
    if (address !== undefined && maxFailuresPerAddress > 0) keyed.push({ key: `address:${address}`, limit: maxFailuresPerAddress });
    return keyed;
  }
}

const accountKey = (email: string): string => `account:${email}`;
