import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { bounded, RedisLink, RedisTimeoutError } from '../../../src/adapters/redis/redis-link.js';
import { RecordingLogger, SHARED_REDIS_URL } from './redis-test-support.js';

const busyFor = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // A blocked event loop: a long JSON.stringify, a GC pause.
  }
};

describe('the bounded wait', () => {
  it('rejects with RedisTimeoutError when the work does not settle in time', async () => {
    await expect(bounded(new Promise(() => undefined), 10)).rejects.toBeInstanceOf(RedisTimeoutError);
  });

  it('passes the result or the error of work that settles in time', async () => {
    await expect(bounded(Promise.resolve('done'), 1000)).resolves.toBe('done');
    await expect(bounded(Promise.reject(new Error('refused')), 1000)).rejects.toThrow('refused');
  });

  describe('on a busy process', () => {
    it('reads a reply that arrived while the event loop was blocked past the bound before giving up', async () => {
      const { hostname, port } = new URL(SHARED_REDIS_URL);
      const socket = connect({ host: hostname, port: Number(port || 6379) });
      try {
        await once(socket, 'connect');
        const reply = once(socket, 'data').then(([data]) => String(data));
        // Written at once; Redis answers while this process is busy past the bound (but for
        // less than twice the bound, so no second window is given: only the last look counts).
        socket.write('PING\r\n');
        const pong = bounded(reply, 600);
        busyFor(900);
        expect(await pong).toBe('+PONG\r\n');
      } finally {
        socket.destroy();
      }
    });

    it('gives work that could not even start while the loop was blocked a fresh window once it is free', async () => {
      // Like a node-redis command, which is written on the turn after it is issued, and
      // answered a few milliseconds later.
      const work = new Promise<string>((resolve) => setImmediate(() => setTimeout(() => resolve('answered'), 5)));
      const answer = bounded(work, 50);
      busyFor(300);
      expect(await answer).toBe('answered');
    });

    it('still gives up on work that does not settle within the second window', async () => {
      const answer = bounded(new Promise(() => undefined), 50);
      busyFor(300);
      await expect(answer).rejects.toBeInstanceOf(RedisTimeoutError);
    });
  });
});

describe('a link to a Redis that is not there', () => {
  let port: number;
  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
  });

  it('opens degraded, answers fallbacks at once, and never logs the credentials of the URL', async () => {
    const logger = new RecordingLogger();
    const link = await RedisLink.open({
      url: `redis://conduit:s3cret-password@127.0.0.1:${port}/0`,
      logger,
      timeoutMs: 50,
      connectTimeoutMs: 300,
      probeIntervalMs: 50,
    });
    try {
      expect(link.state()).toBe('degraded');
      let called = false;
      expect(
        await link.run(async () => {
          called = true;
          return 'reached';
        }, 'fallback'),
      ).toBe('fallback');
      expect(called).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300)); // several failed probes and reconnections
      expect(logger.count('warn')).toBe(1);
      expect(logger.count('info')).toBe(0);
      const logged = JSON.stringify(logger.records);
      expect(logged).toContain(`127.0.0.1:${port}`);
      expect(logged).not.toContain('s3cret-password');
    } finally {
      await link.close();
    }
  });
});
