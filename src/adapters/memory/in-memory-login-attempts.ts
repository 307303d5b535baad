import { inject, injectable } from 'inversify';
import { LRUCache } from 'lru-cache';
import type { LoginAttempts, LoginFailures } from '../../application/users/login-attempts.js';
import { Clock } from '../../application/shared/ports.js';

interface Window {
  failures: number;
  endsAtMs: number;
}

/**
 * Most keys counted at once. Bounded, as anything keyed by client input must be; the price
 * is that flooding it with new keys evicts the oldest counters (a shared Redis store has
 * the same limit at its maxmemory).
 */
export const IN_MEMORY_LOGIN_ATTEMPTS_MAX_KEYS = 100_000;

const NONE: LoginFailures = { failures: 0, retryAfterS: 0 };

/**
 * Failed-login counters of one process (tests, the embedded single-process server). Time
 * comes from the Clock port, so tests can move through windows without waiting.
 */
@injectable()
export class InMemoryLoginAttempts implements LoginAttempts {
  private readonly windows = new LRUCache<string, Window>({ max: IN_MEMORY_LOGIN_ATTEMPTS_MAX_KEYS });

  constructor(@inject(Clock) private readonly clock: Clock) {}

  async check(keys: readonly string[]): Promise<readonly LoginFailures[]> {
    const now = this.clock.now().getTime();
    return keys.map((key) => {
      const window = this.current(key, now);
      return window === undefined ? NONE : { failures: window.failures, retryAfterS: Math.ceil((window.endsAtMs - now) / 1000) };
    });
  }

  async recordFailure(keys: readonly string[], windowS: number): Promise<void> {
    const now = this.clock.now().getTime();
    const windowMs = Math.max(1, Math.ceil(windowS)) * 1000;
    for (const key of keys) {
      const window = this.current(key, now);
      if (window === undefined) this.windows.set(key, { failures: 1, endsAtMs: now + windowMs });
      else window.failures += 1;
    }
  }

  async reset(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.windows.delete(key);
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window === undefined || window.endsAtMs > now) return window;
    this.windows.delete(key);
    return undefined;
  }
}
