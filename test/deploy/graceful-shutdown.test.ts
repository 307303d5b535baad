import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../deploy/stack/probes.js';
import { createEmptyTestDatabase } from '../support/sql.js';
import { nginxOrSkip, startNginx } from './support/nginx.js';
import { startReplica, type Replica } from './support/replica.js';

/**
 * SIGTERM of one API replica behind deploy/nginx.conf, under load: its readiness turns 503
 * at once, it keeps serving through SHUTDOWN_DRAIN_MS, stops accepting, finishes what is
 * in flight and exits 0 — and not one request of the load fails. With TEST_DATABASE_URL the
 * replicas share a database and the load creates articles too: nginx (open source, no
 * active health checks) keeps opening connections to the stopping replica until one is
 * refused, and a create that the kernel accepted in the instant the listening socket
 * closed is reset unanswered. nginx sends it to the other replica with the same
 * Idempotency-Key (ADR 009), so it is applied once and answered, never lost nor doubled.
 */
const nginx = nginxOrSkip();
const JWT_SECRET = 'graceful-shutdown-test-secret-0123456789abcdef';
const DRAIN_MS = 1_500;

describe.skipIf(nginx === undefined)('graceful shutdown behind nginx', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function replicas(env: NodeJS.ProcessEnv): Promise<[Replica, Replica]> {
    const dataDir = mkdtempSync(join(tmpdir(), 'conduit-shutdown-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const common = {
      JWT_SECRET,
      DATA_DIR: dataDir,
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...env,
    };
    // One after the other: the first applies the migrations of a fresh database.
    const first = await startReplica(common);
    cleanups.push(() => first.kill());
    const second = await startReplica(common);
    cleanups.push(() => second.kill());
    return [first, second];
  }

  /**
   * Runs `requests` on 50 connections through nginx; after 300 answers SIGTERMs `victim`,
   * and stops the load 300 answers after it exited. Resolves with the load's result and
   * what the victim did.
   */
  async function loadAndStop(lbUrl: string, victim: Replica, requests: autocannon.Request[]) {
    let answered = 0;
    let stopAt = Number.POSITIVE_INFINITY;
    let signalled: Promise<{ readiness: number; direct: Response }> | undefined;
    let finish: (result: autocannon.Result) => void = () => undefined;
    const done = new Promise<autocannon.Result>((resolve) => (finish = resolve));
    const instance = autocannon({ url: lbUrl, connections: 50, duration: 120, requests }, (error, result) => {
      if (error) throw error;
      finish(result);
    });
    instance.on('response', () => {
      answered++;
      if (answered === 300) {
        victim.child.kill('SIGTERM');
        signalled = duringDrain(victim);
        void victim.exited.then(() => (stopAt = answered + 300));
      }
      if (answered >= stopAt) instance.stop();
    });
    const result = await done;
    return { result, exit: await victim.exited, drain: await signalled };
  }

  /** While draining: readiness answers 503 at once, and the API still answers, asking to reconnect elsewhere. */
  async function duringDrain(victim: Replica): Promise<{ readiness: number; direct: Response }> {
    let readiness = 0;
    await waitFor(
      async () => {
        readiness = (await fetch(`${victim.url}/health/ready`)).status;
        return readiness === 503;
      },
      { timeoutMs: DRAIN_MS / 2, intervalMs: 20 },
    );
    const direct = await fetch(`${victim.url}/api/tags`);
    await direct.text();
    return { readiness, direct };
  }

  /** nginx's lines of the answers that were not 2xx (499: a request the load abandoned as it stopped). */
  const failedLines = (accessLog: string) => accessLog.split('\n').filter((line) => / (?!499)[345]\d\d \d+ /.test(line));

  function expectNoFailure(result: autocannon.Result, accessLog: string): void {
    // On failure, the answers by status and nginx's lines for the failed ones say which and where.
    const failed = failedLines(accessLog);
    expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, failed }, JSON.stringify(result.statusCodeStats)).toEqual({
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      failed: [],
    });
    expect(result['2xx']).toBeGreaterThanOrEqual(600);
  }

  function expectCleanStop(victim: Replica, outcome: Awaited<ReturnType<typeof loadAndStop>>): void {
    expect(outcome.exit).toEqual({ code: 0, signal: null });
    expect(outcome.drain?.readiness).toBe(503);
    expect(outcome.drain?.direct.status).toBe(200);
    expect(outcome.drain?.direct.headers.get('connection')).toBe('close');
    const lines = victim.output().split('\n');
    const draining = lines.findIndex((line) => line.includes('"msg":"draining'));
    const closing = lines.findIndex((line) => line.includes('"msg":"closing'));
    expect(draining).toBeGreaterThanOrEqual(0);
    expect(closing).toBeGreaterThan(draining);
    // Requests still came in, through nginx, while it drained.
    const servedWhileDraining = lines.slice(draining, closing).filter((line) => line.includes('"msg":"request"')).length;
    expect(servedWhileDraining).toBeGreaterThan(1);
    expect(victim.output()).toContain('"outcome":"clean"');
  }

  it('loses no read when one of two in-memory replicas is stopped under 50 connections', { timeout: 180_000 }, async () => {
    const [victim, survivor] = await replicas({ STORAGE: 'memory' });
    const lb = await startNginx(nginx ?? 'nginx', [victim.port, survivor.port]);
    cleanups.push(() => lb.stop());

    const outcome = await loadAndStop(lb.url, victim, [
      { method: 'GET', path: '/api/tags' },
      { method: 'GET', path: '/api/articles?limit=5' },
    ]);

    expectNoFailure(outcome.result, lb.accessLog());
    expectCleanStop(victim, outcome);
    expect(survivor.child.exitCode).toBeNull();
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'loses no request on PostgreSQL, creates included, and applies no create twice',
    { timeout: 240_000 },
    async () => {
      const database = await createEmptyTestDatabase();
      cleanups.push(() => database.drop());
      const [victim, survivor] = await replicas({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '5' });
      const lb = await startNginx(nginx ?? 'nginx', [victim.port, survivor.port]);
      cleanups.push(() => lb.stop());
      const registered = await fetch(`${lb.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { username: 'drainer', email: 'drainer@example.test', password: 'password123' } }),
      });
      expect(registered.status).toBe(201);
      const { user } = (await registered.json()) as { user: { token: string } };

      let created = 0;
      const outcome = await loadAndStop(lb.url, victim, [
        { method: 'GET', path: '/api/tags' },
        {
          method: 'POST',
          path: '/api/articles',
          headers: { 'content-type': 'application/json', authorization: `Token ${user.token}` },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ article: { title: `drain ${++created}`, description: 'd', body: 'b', tagList: ['drain'] } }),
          }),
        },
        { method: 'GET', path: '/api/articles?limit=5' },
      ]);

      expectNoFailure(outcome.result, lb.accessLog());
      expectCleanStop(victim, outcome);
      // No create was applied twice, although nginx replays those a stopping replica
      // dropped: the replay carries the first try's Idempotency-Key. Every answered create
      // is stored (some unanswered ones may be too: the load stops with requests in flight).
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ stored: string; titles: string }>(
          'select count(*) as stored, count(distinct title) as titles from articles',
        );
        const answeredCreates = outcome.result.statusCodeStats?.['201']?.count ?? 0;
        expect(answeredCreates).toBeGreaterThan(0);
        expect(Number(rows[0]?.stored)).toBe(Number(rows[0]?.titles));
        expect(Number(rows[0]?.stored)).toBeGreaterThanOrEqual(answeredCreates);
      } finally {
        await client.end();
      }
    },
  );
});
