import { createHash } from 'node:crypto';
import type { LoginAttempts, LoginFailures } from '../../application/users/login-attempts.js';
import type { RedisLink } from './redis-link.js';

export interface RedisLoginAttemptsOptions {
  readonly link: RedisLink;
  /** Deployment namespace: keys are `<prefix>:login:<hash>`. */
  readonly prefix: string;
}

const NONE: LoginFailures = { failures: 0, retryAfterS: 0 };

/**
 * Failed-login counters shared by every replica, in Redis: one counter per key whose
 * expiry is its window. Counting is atomic (INCR, then EXPIRE … NX so only the first
 * failure starts the window, in one MULTI; Redis ≥ 7.0). The keys are hashed, so e-mail
 * addresses are not stored in Redis in clear. Unreachable Redis → fail open (0/0, nothing
 * counted), reported once by the link.
 */
export class RedisLoginAttempts implements LoginAttempts {
  constructor(private readonly options: RedisLoginAttemptsOptions) {}

  async check(keys: readonly string[]): Promise<readonly LoginFailures[]> {
    if (keys.length === 0) return [];
    const replies = await this.options.link.run(async (client) => {
      const multi = client.multi();
      for (const key of keys) multi.get(this.redisKey(key)).pTTL(this.redisKey(key));
      return (await multi.exec()) as unknown[];
    }, null);
    if (replies === null) return keys.map(() => NONE);
    return keys.map((_, i) => {
      const failures = Number(replies[2 * i] ?? 0);
      const ttlMs = Number(replies[2 * i + 1]);
      // PTTL is -2 for a missing key and -1 for one without expiry (which EXPIRE NX repairs on the next failure).
      if (!Number.isFinite(failures) || failures <= 0 || !(ttlMs > 0)) return NONE;
      return { failures, retryAfterS: Math.ceil(ttlMs / 1000) };
    });
  }

  async recordFailure(keys: readonly string[], windowS: number): Promise<void> {
    if (keys.length === 0) return;
    const seconds = Math.max(1, Math.ceil(windowS));
    await this.options.link.run(async (client) => {
      const multi = client.multi();
      for (const key of keys) multi.incr(this.redisKey(key)).expire(this.redisKey(key), seconds, 'NX');
      await multi.exec();
    }, undefined);
  }

  async reset(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.options.link.run((client) => client.del(keys.map((key) => this.redisKey(key))), undefined);
  }

  private redisKey(key: string): string {
    return `${this.options.prefix}:login:${createHash('sha256').update(key).digest('base64url')}`;
  }
}
