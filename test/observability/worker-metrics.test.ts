import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApplication, createProjectorWorker } from '../../src/composition/processes.js';
import { loadConfig } from '../../src/config/config.js';
import { openStackEnvironment } from '../support/app.js';
import { FastTestHasher } from '../http/support/client.js';
import { sample } from './exposition.js';

/**
 * The worker's own metrics listener (METRICS_PORT) and the metrics only separate
 * projection has: read-your-writes waits, the PostgreSQL pool. Needs PostgreSQL.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('metrics of a projector worker and of the API waiting for it', () => {
  it('counts the projections in the worker and the waits in the API', { timeout: 120_000 }, async () => {
    const stack = await openStackEnvironment('postgres');
    const env = { ...stack.env, PROJECTOR: 'worker', READ_YOUR_WRITES_TIMEOUT_MS: '20000' } as NodeJS.ProcessEnv;
    const logger = pino({ level: 'silent' });
    const worker = await createProjectorWorker({ ...loadConfig(env), metricsPort: 0, host: '127.0.0.1' }, { logger });
    const stop = new AbortController();
    const running = worker.run(stop.signal);
    const api = await createApplication(loadConfig(env), { logger, passwordHasher: new FastTestHasher() });
    try {
      const user = { username: 'waiter', email: 'waiter@example.com', password: 'password123' };
      const registered = await api.http.inject({ method: 'POST', url: '/api/users', payload: { user } });
      expect(registered.statusCode).toBe(201);
      for (const title of ['Waited once', 'Waited twice']) {
        const res = await api.http.inject({
          method: 'POST',
          url: '/api/articles',
          headers: { authorization: `Token ${registered.json().user.token}` },
          payload: { article: { title, description: 'd', body: 'b' } },
        });
        expect(res.statusCode).toBe(201);
      }

      expect(worker.metricsPort).toBeGreaterThan(0);
      const fromWorker = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(sample(fromWorker, 'conduit_projection_duration_seconds_count', { event_type: 'ArticlePublished' })).toBe(2);
      expect(sample(fromWorker, 'conduit_projection_duration_seconds_count', { event_type: 'UserRegistered' })).toBe(1);
      expect(sample(fromWorker, 'conduit_outbox_pending_events', { subscriber: 'projector' })).toBe(0);
      expect(sample(fromWorker, 'conduit_ready')).toBe(1);
      expect(sample(fromWorker, 'conduit_dependency_up', { dependency: 'database' })).toBe(1);
      expect(sample(fromWorker, 'conduit_db_pool_connections', { state: 'waiting' })).toBeGreaterThanOrEqual(0);
      expect(sample(fromWorker, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/articles', status_code: '201' })).toBeUndefined();

      const fromApi = (await api.http.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(fromApi, 'conduit_read_your_writes_wait_seconds_count')).toBe(3);
      expect(sample(fromApi, 'conduit_read_your_writes_timeouts_total')).toBe(0);
      expect(sample(fromApi, 'conduit_projection_duration_seconds_count', { event_type: 'ArticlePublished' })).toBeUndefined();
      const used = sample(fromApi, 'conduit_db_pool_connections', { state: 'used' });
      const idle = sample(fromApi, 'conduit_db_pool_connections', { state: 'idle' });
      expect((used ?? 0) + (idle ?? 0)).toBeGreaterThan(0);
    } finally {
      stop.abort();
      await running;
      await worker.close();
      await api.close();
      await stack.close();
    }
  });
});
