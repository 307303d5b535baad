import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../deploy/stack/endpoints.js';
import { runId, stackFromEnv } from './support/endpoints.js';

/**
 * One id per request, from the client to nginx's access log, the replica's log line and
 * the response: the client's own X-Request-Id when it is plain, nginx's otherwise.
 */
const stack = stackFromEnv();

/** The replica log lines (pino JSON) carrying `id` as their reqId; waits for the logs to be written. */
async function replicaLinesWith(endpoints: StackEndpoints, id: string): Promise<{ replica: string; msg: string }[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = endpoints.replicas.flatMap((replica) =>
      readFileSync(replica.log, 'utf8')
        .split('\n')
        .filter((line) => line.includes(`"reqId":"${id}"`))
        .map((line) => ({ replica: replica.name, msg: (JSON.parse(line) as { msg: string }).msg })),
    );
    if (found.some((line) => line.msg === 'request') || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function accessLogHas(endpoints: StackEndpoints, id: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const lines = readFileSync(endpoints.accessLog, 'utf8').split('\n');
    if (lines.some((line) => line.endsWith(` request_id=${id}`))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe.skipIf(stack === undefined)('request id through nginx', () => {
  const endpoints = stack as StackEndpoints;

  it.each([
    ['GET', '/tags', undefined],
    ['POST', '/users', { user: { username: `q${runId()}`, email: `q${runId()}@stack.test`, password: 'password123' } }],
    ['PUT', '/user', { user: { bio: 'x' } }],
  ])("carries the client's X-Request-Id on %s %s to one replica's log and back", async (method, path, body) => {
    const id = `stack-check.${runId()}`;
    const response = await fetch(`${endpoints.api}${path}`, {
      method,
      headers: { 'x-request-id': id, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    // PUT /user without a token is refused by the replica: the id is carried all the same.
    expect(response.status).toBe(method === 'PUT' ? 401 : method === 'POST' ? 201 : 200);
    expect(response.headers.get('x-request-id')).toBe(id);
    const lines = await replicaLinesWith(endpoints, id);
    expect(lines.map((l) => l.msg)).toEqual(['request']);
    expect(new Set(lines.map((l) => l.replica)).size).toBe(1);
    expect(await accessLogHas(endpoints, id)).toBe(true);
  });

  it.each([
    ['no X-Request-Id', undefined],
    ['an X-Request-Id that is not plain', 'has spaces; and=more'],
    ['an X-Request-Id that is too long', 'y'.repeat(129)],
  ])("uses nginx's id when the client sends %s, in the replica's log and the response", async (_label, clientId) => {
    const response = await fetch(`${endpoints.api}/tags`, { headers: clientId === undefined ? {} : { 'x-request-id': clientId } });
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const lines = await replicaLinesWith(endpoints, id);
    expect(lines.map((l) => l.msg)).toEqual(['request']);
    expect(await accessLogHas(endpoints, id)).toBe(true);
  });
});
