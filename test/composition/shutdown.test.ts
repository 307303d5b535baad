import { describe, expect, it } from 'vitest';
import { shutDownApi, shutDownWorker } from '../../src/composition/shutdown.js';

/** The order of the shutdown steps and what the timeout cuts (the processes themselves: test/deploy/graceful-shutdown.test.ts). */
const quiet = { info: () => undefined, warn: () => undefined };

describe('API shutdown', () => {
  it('drains, then closes, and reports a clean stop', async () => {
    const steps: string[] = [];
    const outcome = await shutDownApi(
      {
        logger: quiet,
        drain: () => steps.push('drain'),
        close: async () => void steps.push('close'),
        cutConnections: () => steps.push('cut'),
      },
      { drainMs: 0, timeoutMs: 60_000 },
    );
    expect(outcome).toBe('clean');
    expect(steps).toEqual(['drain', 'close']);
  });

  it('cuts the connections still open after the timeout, which lets the close finish', async () => {
    const steps: string[] = [];
    let release = () => undefined as void;
    const outcome = await shutDownApi(
      {
        logger: quiet,
        drain: () => steps.push('drain'),
        // Like Fastify's close: it waits for the requests in flight, which end when their connections are cut.
        close: () => new Promise<void>((resolve) => (release = resolve)),
        cutConnections: () => {
          steps.push('cut');
          release();
        },
      },
      { drainMs: 0, timeoutMs: 1 },
    );
    expect(outcome).toBe('forced');
    expect(steps).toEqual(['drain', 'cut']);
  });
});

describe('worker shutdown', () => {
  it('waits for the batch in progress, then closes', async () => {
    const steps: string[] = [];
    let finish = () => undefined as void;
    const running = new Promise<void>((resolve) => (finish = resolve)).then(() => void steps.push('batch done'));
    const stopping = shutDownWorker({ logger: quiet, close: async () => void steps.push('close') }, running, { timeoutMs: 60_000 });
    finish();
    expect(await stopping).toBe('clean');
    expect(steps).toEqual(['batch done', 'close']);
  });

  it('gives up on a batch that does not finish within the timeout, leaving it to its leases', async () => {
    const steps: string[] = [];
    const outcome = await shutDownWorker(
      { logger: quiet, close: async () => void steps.push('close') },
      new Promise<void>(() => undefined),
      { timeoutMs: 1 },
    );
    expect(outcome).toBe('forced');
    expect(steps).toEqual([]);
  });
});
