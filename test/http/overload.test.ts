import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../deploy/stack/probes.js';
import { startFakeApp, type FakeApp } from './support/fake-deps.js';

/**
 * Load shedding (OVERLOAD_*): beyond a threshold every API request gets 503 with
 * Retry-After in the RealWorld format, at once, while the probes still answer. The
 * thresholds are made tiny and the pressure real (a heap that is never empty, an event
 * loop held busy), so nothing depends on how fast this machine is.
 */
describe('overload', () => {
  let fake: FakeApp | undefined;
  afterEach(async () => {
    await fake?.app.close();
    fake = undefined;
  });

  type Pressured = FakeApp['app'] & { isUnderPressure(): boolean };
  const underPressure = (app: FakeApp['app']) => (app as Pressured).isUnderPressure();

  async function expectShed(app: FakeApp['app']) {
    const shed = await app.inject({ method: 'GET', url: '/api/tags' });
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('5');
    expect(shed.json()).toEqual({ errors: { server: ['is overloaded, retry later'] } });
    expect(shed.headers['x-content-type-options']).toBe('nosniff');
  }

  it('sheds API requests while the heap is beyond its limit; the probes still answer', async () => {
    fake = await startFakeApp({ options: { overload: { maxEventLoopDelayMs: 0, maxHeapBytes: 1, sampleIntervalMs: 10 } } });
    const { app } = fake;
    expect(await waitFor(async () => underPressure(app), { timeoutMs: 10_000, intervalMs: 10 })).toBe('ready');
    await expectShed(app);
    expect(fake.useCases.getTags.execute).not.toHaveBeenCalled();
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('sheds API requests after the event loop was held up beyond the limit', async () => {
    // Sampled every second: the pressure seen after a block lasts until the next sample.
    fake = await startFakeApp({ options: { overload: { maxEventLoopDelayMs: 1, maxHeapBytes: 0, sampleIntervalMs: 1_000 } } });
    const { app } = fake;
    const hold = () => {
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // busy: nothing else runs meanwhile
      }
    };
    const outcome = await waitFor(
      async () => {
        if (underPressure(app)) return true;
        hold();
        return false;
      },
      { timeoutMs: 20_000, intervalMs: 1 },
    );
    expect(outcome).toBe('ready');
    await expectShed(app);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('lets everything through when no limit is set', async () => {
    fake = await startFakeApp({ options: { overload: { maxEventLoopDelayMs: 0, maxHeapBytes: 0 } } });
    expect((await fake.app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(200);
    expect('isUnderPressure' in fake.app).toBe(false);
  });
});
