import { beforeEach, describe, expect, it } from 'vitest';
import type { LoginAttempts } from '../../../src/application/users/login-attempts.js';

/**
 * One adapter of the LoginAttempts port. `passTime` moves the adapter's time forward:
 * a fake clock for the in-memory adapter, a real wait for Redis (whose expiry is its own).
 */
export interface LoginAttemptsSubject {
  open(): Promise<LoginAttempts>;
  passTime(ms: number): Promise<void>;
}

export function loginAttemptsContract(name: string, subject: LoginAttemptsSubject): void {
  describe(`LoginAttempts contract (${name})`, () => {
    let attempts: LoginAttempts;
    let unique: string;
    const key = (label: string) => `${unique}:${label}`;
    beforeEach(async () => {
      attempts = await subject.open();
      unique = Math.random().toString(36).slice(2, 10);
    });

    it('knows no failures for keys never seen, in the order asked', async () => {
      expect(await attempts.check([key('a'), key('b')])).toEqual([
        { failures: 0, retryAfterS: 0 },
        { failures: 0, retryAfterS: 0 },
      ]);
      expect(await attempts.check([])).toEqual([]);
    });

    it('counts failures per key, each key on its own', async () => {
      await attempts.recordFailure([key('email'), key('ip')], 60);
      await attempts.recordFailure([key('email')], 60);
      await attempts.recordFailure([key('email')], 60);
      const [email, ip, other] = await attempts.check([key('email'), key('ip'), key('other')]);
      expect(email?.failures).toBe(3);
      expect(ip?.failures).toBe(1);
      expect(other).toEqual({ failures: 0, retryAfterS: 0 });
    });

    it('says how long until the window ends, which starts at the first failure', async () => {
      await attempts.recordFailure([key('window')], 60);
      const [first] = await attempts.check([key('window')]);
      expect(first?.retryAfterS).toBeGreaterThan(0);
      expect(first?.retryAfterS).toBeLessThanOrEqual(60);
      // Later failures count in the same window; they do not extend it.
      await attempts.recordFailure([key('window')], 600);
      const [second] = await attempts.check([key('window')]);
      expect(second?.failures).toBe(2);
      expect(second?.retryAfterS).toBeLessThanOrEqual(60);
    });

    it('forgets the failures when the window ends; the next failure opens a new window', async () => {
      await attempts.recordFailure([key('short'), key('long')], 1);
      await attempts.recordFailure([key('long')], 1);
      await subject.passTime(1100);
      expect(await attempts.check([key('short'), key('long')])).toEqual([
        { failures: 0, retryAfterS: 0 },
        { failures: 0, retryAfterS: 0 },
      ]);
      await attempts.recordFailure([key('long')], 60);
      expect((await attempts.check([key('long')]))[0]?.failures).toBe(1);
    });

    it('forgets the keys it is told to reset, and only those', async () => {
      await attempts.recordFailure([key('email'), key('ip')], 60);
      await attempts.reset([key('email')]);
      const [email, ip] = await attempts.check([key('email'), key('ip')]);
      expect(email).toEqual({ failures: 0, retryAfterS: 0 });
      expect(ip?.failures).toBe(1);
      await expect(attempts.reset([])).resolves.toBeUndefined();
      await expect(attempts.recordFailure([], 60)).resolves.toBeUndefined();
    });

    it('treats keys as opaque text: look-alike keys are different keys', async () => {
      await attempts.recordFailure([key('Jake@Example.com')], 60);
      const [exact, lower] = await attempts.check([key('Jake@Example.com'), key('jake@example.com')]);
      expect(exact?.failures).toBe(1);
      expect(lower?.failures).toBe(0);
    });
  });
}
