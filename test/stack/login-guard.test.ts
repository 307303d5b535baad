import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../deploy/stack/endpoints.js';
import { Api, register } from './support/api.js';
import { runId, stackFromEnv } from './support/endpoints.js';

/**
 * The login guard counts failures in Redis, so the replicas share them: ten wrong
 * passwords for one account, spread over both replicas, lock that account on both and
 * through nginx (429 with Retry-After), whatever password comes next. The attempts leave
 * from a random 127.x.y.z address, so the per-address count of other runs never adds up.
 */
const stack = stackFromEnv();
const MAX_FAILURES = 10;

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

function loginFrom(localAddress: string, api: string, email: string, password: string): Promise<Answer> {
  const payload = JSON.stringify({ user: { email, password } });
  return new Promise((resolve, reject) => {
    const req = request(
      `${api}/users/login`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close' },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${api}`)));
    req.end(payload);
  });
}

const randomClient = (): string =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;

describe.skipIf(stack === undefined)('login guard shared by the replicas', () => {
  const endpoints = stack as StackEndpoints;

  it(`locks an account on every replica after ${MAX_FAILURES} failures spread over them`, async () => {
    const user = await register(new Api(endpoints.api, 'nginx'), `g${runId()}`);
    const client = randomClient();
    const replicas = endpoints.replicas;
    const failures: number[] = [];
    for (let i = 0; i < MAX_FAILURES; i++)
      failures.push((await loginFrom(client, replicas[i % replicas.length]?.api ?? '', user.email, 'wrong-password')).status);
    expect(failures).toEqual(Array(MAX_FAILURES).fill(401));

    for (const [label, api] of [...replicas.map((r) => [r.name, r.api] as const), ['nginx', endpoints.api] as const]) {
      const refused = await loginFrom(client, api, user.email, 'password123');
      expect(refused.status, `${label}: the right password while locked`).toBe(429);
      expect(Number(refused.retryAfter), `${label}: Retry-After`).toBeGreaterThan(0);
      expect(JSON.parse(refused.body)).toEqual({ errors: { login: ['too many failed attempts, retry later'] } });
    }

    // Another account, from the same address, still signs in.
    const other = await register(new Api(endpoints.api, 'nginx'), `h${runId()}`);
    expect((await loginFrom(client, endpoints.api, other.email, 'password123')).status).toBe(200);
  });
});
