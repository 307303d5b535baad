import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  beyondLimit,
  consumerSettings,
  handleWithin,
  RecentIds,
  retryDelayMs,
  withDeadline,
} from '../../../src/application/integration/delivery-policy.js';
import { MessageBusError } from '../../../src/application/integration/message-bus.js';

const settings = consumerSettings({ name: 'notifier', maxDeliveries: 3, ackTimeoutMs: 1000, backoff: { initialMs: 100, maxMs: 350 } });

describe('delivery policy', () => {
  it('doubles the retry delay up to the maximum', () => {
    expect([1, 2, 3, 4, 40].map((attempt) => retryDelayMs(attempt, settings.backoff))).toEqual([100, 200, 350, 350, 350]);
  });

  it('retries until maxDeliveries, then dead-letters; a delivery past the limit is dead-lettered unhandled', () => {
    expect(afterFailure(1, settings)).toEqual({ action: 'retry', delayMs: 100 });
    expect(afterFailure(2, settings)).toEqual({ action: 'retry', delayMs: 200 });
    expect(afterFailure(3, settings)).toEqual({ action: 'dead-letter' });
    expect(beyondLimit(3, settings)).toBeNull();
    expect(beyondLimit(4, settings)).toMatch(/not acknowledged after 3 deliveries/);
  });

  it('checks consumer options', () => {
    expect(settings).toMatchObject({ concurrency: 1, types: null });
    const bad = [
      { name: 'a.b', maxDeliveries: 1, ackTimeoutMs: 1000 },
      { name: 'x'.repeat(65), maxDeliveries: 1, ackTimeoutMs: 1000 },
      { name: 'a', maxDeliveries: 0, ackTimeoutMs: 1000 },
      { name: 'a', maxDeliveries: 1, ackTimeoutMs: 10 },
      { name: 'a', maxDeliveries: 1, ackTimeoutMs: 1000, concurrency: 0 },
      { name: 'a', maxDeliveries: 1, ackTimeoutMs: 1000, types: [] },
      { name: 'a', maxDeliveries: 1, ackTimeoutMs: 1000, backoff: { initialMs: 10, maxMs: 5 } },
    ];
    for (const options of bad) expect(() => consumerSettings(options), JSON.stringify(options)).toThrow(RangeError);
  });

  it('remembers at most `capacity` ids, forgetting the oldest first', () => {
    const recent = new RecentIds(2);
    recent.add('a');
    recent.add('b');
    recent.add('a'); // seen again: now the newest
    recent.add('c');
    expect(['a', 'b', 'c'].map((id) => recent.has(id))).toEqual([true, false, true]);
  });

  it('bounds a handler and a broker call', async () => {
    expect(await handleWithin(async () => undefined, 1000)).toBe('ok');
    expect(await handleWithin(() => new Promise(() => undefined), 50)).toBe('timeout');
    const failed = await handleWithin(async () => Promise.reject(new Error('no')), 1000);
    expect(failed).toEqual({ error: new Error('no') });
    await expect(withDeadline(new Promise(() => undefined), 50, 'publish')).rejects.toThrow(MessageBusError);
    await expect(withDeadline(Promise.reject(new Error('refused')), 1000, 'publish')).rejects.toThrow(/publish: Error: refused/);
  });
});
