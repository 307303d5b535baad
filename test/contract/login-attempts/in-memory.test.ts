import { describe, expect, it } from 'vitest';
import {
  IN_MEMORY_LOGIN_ATTEMPTS_MAX_KEYS,
  InMemoryLoginAttempts,
} from '../../../src/adapters/memory/in-memory-login-attempts.js';
import type { Clock } from '../../../src/application/shared/ports.js';
import { loginAttemptsContract } from './login-attempts.contract.js';

class FakeClock implements Clock {
  private ms = Date.parse('2026-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const clock = new FakeClock();

loginAttemptsContract('memory', {
  open: async () => new InMemoryLoginAttempts(clock),
  passTime: async (ms) => clock.advance(ms),
});

describe('in-memory login attempts', () => {
  it('rounds the time left up to whole seconds', async () => {
    const attempts = new InMemoryLoginAttempts(clock);
    await attempts.recordFailure(['k'], 10);
    clock.advance(8_500);
    expect(await attempts.check(['k'])).toEqual([{ failures: 1, retryAfterS: 2 }]);
  });

  it('is bounded: past its maximum, the least recently used keys are forgotten', async () => {
    const attempts = new InMemoryLoginAttempts(clock);
    await attempts.recordFailure(['first'], 600);
    const flood = Array.from({ length: IN_MEMORY_LOGIN_ATTEMPTS_MAX_KEYS }, (_, i) => `flood:${i}`);
    await attempts.recordFailure(flood, 600);
    const [first, last] = await attempts.check(['first', flood.at(-1)!]);
    expect(first?.failures).toBe(0);
    expect(last?.failures).toBe(1);
  });
});
