import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../deploy/stack/endpoints.js';
import { stackFromEnv } from './support/endpoints.js';

/**
 * RATE_LIMIT_PER_MINUTE is a limit per client, whichever replica it reaches: with the
 * counters in Redis (REDIS_URL) every replica counts against one total. Runs against a
 * stack started for it with a small limit (STACK_RATE_LIMITED_ENDPOINTS; .ci/stack-checks.sh
 * starts one with RATE_LIMIT_PER_MINUTE=10).
 *
 * Each run is a client of its own: its requests leave from a random 127.x.y.z address
 * (all of 127/8 is the loopback interface), so a re-run within the minute, or another run
 * against the same stack, starts from a fresh count.
 */
const stack = stackFromEnv('STACK_RATE_LIMITED_ENDPOINTS');

function getFrom(localAddress: string, url: string): Promise<{ status: number; remaining: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers: { connection: 'close' } }, (response) => {
      response.resume();
      response.on('end', () => {
        const remaining = response.headers['x-ratelimit-remaining'];
        resolve({ status: response.statusCode ?? 0, remaining: Array.isArray(remaining) ? remaining[0] : remaining });
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.end();
  });
}

const randomClient = (): string => `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;

describe.skipIf(stack === undefined)('rate limits shared by the replicas', () => {
  const endpoints = stack as StackEndpoints;

  it('limits one client by its total over every replica, and nginx agrees', async () => {
    const limit = endpoints.rateLimitPerMinute;
    expect(limit, 'the stack must be started with a small RATE_LIMIT_PER_MINUTE').toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(100);
    const client = randomClient();
    const replicas = endpoints.replicas;

    // Alternating replicas, exactly the limit: each answered, the count shared.
    const within: string[] = [];
    for (let i = 0; i < limit; i++) {
      const replica = replicas[i % replicas.length];
      const { status, remaining } = await getFrom(client, `${replica?.api}/tags`);
      within.push(`${replica?.name} ${status} remaining=${remaining}`);
    }
    expect(within).toEqual(
      Array.from({ length: limit }, (_, i) => `${replicas[i % replicas.length]?.name} 200 remaining=${limit - i - 1}`),
    );

    // Over the total: every replica refuses this client, directly and through nginx.
    const over: string[] = [];
    for (const replica of replicas) over.push(`${replica.name} ${(await getFrom(client, `${replica.api}/tags`)).status}`);
    over.push(`nginx ${(await getFrom(client, `${endpoints.api}/tags`)).status}`);
    expect(over, 'a per-replica count lets a client through each replica in turn').toEqual([
      ...replicas.map((r) => `${r.name} 429`),
      'nginx 429',
    ]);

    // Another client is not held back by this one.
    expect((await getFrom(randomClient(), `${endpoints.api}/tags`)).status).toBe(200);
  });
});
