import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { RedisLoginAttempts } from '../../../src/adapters/redis/redis-login-attempts.js';
import { OwnRedisServer, RecordingLogger, uniquePrefix } from './redis-test-support.js';

/** Redis login attempts on a Redis of the test's own, killed mid-run: the guard fails open. */
describe('login attempts on a Redis that goes away', () => {
  let server: OwnRedisServer;
  let logger: RecordingLogger;
  let link: RedisLink;
  let attempts: RedisLoginAttempts;

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    logger = new RecordingLogger();
    link = await RedisLink.open({ url: server.url, logger, timeoutMs: 1000, probeIntervalMs: 100 });
    attempts = new RedisLoginAttempts({ link, prefix: uniquePrefix('login-fail-open') });
  });
  afterAll(async () => {
    await link?.close();
    await server?.stop();
  });

  it('fails open while Redis is down, logs it once, and counts again once it is back', async () => {
    await attempts.recordFailure(['jake@example.com'], 60);
    expect((await attempts.check(['jake@example.com']))[0]?.failures).toBe(1);

    await server.kill();
    for (let call = 0; call < 10; call++) {
      await expect(attempts.recordFailure(['jake@example.com', 'ip:10.0.0.1'], 60)).resolves.toBeUndefined();
      expect(await attempts.check(['jake@example.com', 'ip:10.0.0.1'])).toEqual([
        { failures: 0, retryAfterS: 0 },
        { failures: 0, retryAfterS: 0 },
      ]);
      await expect(attempts.reset(['jake@example.com'])).resolves.toBeUndefined();
    }
    expect(link.state()).toBe('degraded');
    expect(logger.count('warn')).toBe(1);

    await server.restart();
    await vi.waitFor(() => expect(link.state()).toBe('ok'), { timeout: 20_000, interval: 50 });
    expect(logger.count('info')).toBe(1);
    await attempts.recordFailure(['jake@example.com'], 60);
    expect((await attempts.check(['jake@example.com']))[0]?.failures).toBe(1);
  });

  it('fails open without hanging while Redis is frozen', async () => {
    await attempts.recordFailure(['frozen@example.com'], 60);
    server.freeze();
    try {
      expect(await attempts.check(['frozen@example.com'])).toEqual([{ failures: 0, retryAfterS: 0 }]);
      await expect(attempts.recordFailure(['frozen@example.com'], 60)).resolves.toBeUndefined();
      expect(link.state()).toBe('degraded');
    } finally {
      server.thaw();
    }
    await vi.waitFor(() => expect(link.state()).toBe('ok'), { timeout: 20_000, interval: 50 });
    expect((await attempts.check(['frozen@example.com']))[0]?.failures).toBeGreaterThanOrEqual(1);
  });
});
