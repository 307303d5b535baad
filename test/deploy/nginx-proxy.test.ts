import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, FakeReplica, nginxOrSkip, startNginx, type Behaviour, type RunningNginx } from './support/nginx.js';

/**
 * deploy/nginx.conf itself, run by the real nginx in front of stand-in replicas: the
 * request id, the RealWorld-shaped errors nginx produces, and which requests it replays
 * on the other replica when one fails. (The real replicas behind it: test/stack.)
 */
const nginx = nginxOrSkip();

describe.skipIf(nginx === undefined)('nginx in front of the replicas (deploy/nginx.conf)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function balancer(...behaviours: (Behaviour | 'down')[]): Promise<{ lb: RunningNginx; replicas: FakeReplica[] }> {
    const replicas: FakeReplica[] = [];
    const ports: number[] = [];
    for (const behaviour of behaviours) {
      if (behaviour === 'down') {
        ports.push(await closedPort());
        continue;
      }
      const replica = await FakeReplica.start(behaviour);
      cleanups.push(() => replica.close());
      replicas.push(replica);
      ports.push(replica.port);
    }
    const lb = await startNginx(nginx ?? 'nginx', ports);
    cleanups.push(() => lb.stop());
    return { lb, replicas };
  }

  const send = (lb: RunningNginx, method: string, path = '/api/articles', headers: Record<string, string> = {}) =>
    fetch(`${lb.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: method === 'GET' || method === 'HEAD' ? undefined : '{"article":{"title":"t"}}',
    });

  const received = (replicas: FakeReplica[]) => replicas.flatMap((r) => r.received);

  describe('request id', () => {
    it("passes the client's plain X-Request-Id to the replica and returns it", async () => {
      const { lb, replicas } = await balancer('echo', 'echo');
      const id = `client-id.${Date.now()}:a_b-c`;
      const response = await send(lb, 'GET', '/api/tags', { 'x-request-id': id });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe(id);
      expect(await response.json()).toMatchObject({ requestId: id });
      expect(received(replicas).map((r) => r.requestId)).toEqual([id]);
      expect(await lb.accessLogWith(`request_id=${id}`)).toContain(`request_id=${id}`);
    });

    it.each([
      ['missing', undefined],
      ['with spaces', 'not a plain id'],
      ['too long', 'x'.repeat(129)],
      ['with a header-splitting attempt', 'abc%0d%0aSet-Cookie:x'],
    ])("uses nginx's own id when the client's is %s", async (_label, clientId) => {
      const { lb, replicas } = await balancer('echo', 'echo');
      const response = await send(lb, 'GET', '/api/tags', clientId === undefined ? {} : { 'x-request-id': clientId });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(received(replicas).map((r) => r.requestId)).toEqual([id]);
      // One header, not the replica's and nginx's side by side.
      expect(response.headers.get('x-request-id')?.includes(',')).toBe(false);
    });

    it('replaces a client X-Forwarded-For with the address nginx saw', async () => {
      const { lb, replicas } = await balancer('echo');
      await send(lb, 'GET', '/api/tags', { 'x-forwarded-for': '203.0.113.9' });
      expect(received(replicas).map((r) => r.forwardedFor)).toEqual(['127.0.0.1']);
    });
  });

  describe('errors nginx answers itself', () => {
    it('refuses a body over 1 MiB with 413 in the RealWorld shape, without reaching a replica', async () => {
      const { lb, replicas } = await balancer('echo');
      const response = await fetch(`${lb.url}/api/articles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(1024 * 1024 + 1),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ errors: { body: ['is larger than 1 MiB'] } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      expect(received(replicas)).toEqual([]);
    });

    it('answers 503 in the RealWorld shape, with Retry-After and the request id, when no replica is up', async () => {
      const { lb } = await balancer('down', 'down');
      const response = await send(lb, 'GET', '/api/tags', { 'x-request-id': 'all-down-1' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('x-request-id')).toBe('all-down-1');
      expect(await response.json()).toEqual({ errors: { server: ['is temporarily unavailable'] } });
    });

    it("passes a replica's own 5xx through untouched and never replays it", async () => {
      const { lb, replicas } = await balancer('fail', 'fail');
      for (const method of ['GET', 'POST']) {
        const response = await send(lb, method);
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ errors: { replica: ['failed'] } });
      }
      expect(received(replicas).map((r) => r.method)).toEqual(['GET', 'POST']);
    });
  });

  describe('replays on the other replica', () => {
    it.each(['POST', 'PUT', 'DELETE', 'PATCH'])(
      'replays a %s that reached a replica which then failed once, with the same Idempotency-Key',
      async (method) => {
        const { lb, replicas } = await balancer('drop', 'drop');
        const response = await send(lb, method);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ errors: { server: ['is temporarily unavailable'] } });
        const sent = received(replicas);
        expect(sent.map((r) => r.method)).toEqual([method, method]);
        expect(new Set(replicas.map((r) => r.received.length))).toEqual(new Set([1]));
        // nginx's own key (its request id) when the client sent none: one key for both tries.
        expect(sent[0]?.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
        expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
      },
    );

    it("passes the client's own Idempotency-Key on, to both tries", async () => {
      const { lb, replicas } = await balancer('drop', 'drop');
      await send(lb, 'POST', '/api/articles', { 'idempotency-key': 'client-key-1' });
      expect(received(replicas).map((r) => r.idempotencyKey)).toEqual(['client-key-1', 'client-key-1']);
    });

    it('gives every request its own key', async () => {
      const { lb, replicas } = await balancer('echo');
      await send(lb, 'POST');
      await send(lb, 'POST');
      const [first, second] = received(replicas).map((r) => r.idempotencyKey);
      expect(first).not.toBe(second);
    });

    it('replays a GET once on the other replica', async () => {
      const { lb, replicas } = await balancer('drop', 'drop');
      const response = await send(lb, 'GET');
      expect(response.status).toBe(503);
      expect(received(replicas).map((r) => r.method)).toEqual(['GET', 'GET']);
      expect(new Set(replicas.map((r) => r.received.length))).toEqual(new Set([1]));
    });

    it('sends a POST to the other replica when the first refused the connection (nothing was sent)', async () => {
      const { lb, replicas } = await balancer('down', 'echo');
      for (let i = 0; i < 4; i++) expect((await send(lb, 'POST')).status).toBe(200);
      expect(received(replicas).map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
    });

    it('keeps PUT and DELETE bodies and methods on their way through', async () => {
      const { lb, replicas } = await balancer('echo');
      expect((await send(lb, 'PUT', '/api/user')).status).toBe(200);
      expect((await send(lb, 'DELETE', '/api/articles/a-slug')).status).toBe(200);
      expect(received(replicas).map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /api/user', 'DELETE /api/articles/a-slug']);
    });
  });
});
