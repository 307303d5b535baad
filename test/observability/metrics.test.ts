import { afterEach, describe, expect, it } from 'vitest';
import { APPLICATION_METRICS, DEFAULT_METRICS } from '../../deploy/tools/metric-catalog.js';
import { loadConfig } from '../../src/config/config.js';
import { pino } from 'pino';
import { Projector } from '../../src/application/read-side/projector.js';
import { createApplication } from '../../src/composition/processes.js';
import { openStackEnvironment, startTestApp, type TestApp } from '../support/app.js';
import { FastTestHasher } from '../http/support/client.js';
import { sample, samples } from './exposition.js';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(config: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const app = await startTestApp(config, { passwordHasher: new FastTestHasher() });
  apps.push(app);
  return app;
}

const scrape = async (app: TestApp): Promise<string> => {
  const res = await app.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
};

async function register(app: TestApp, name: string): Promise<string> {
  const user = { username: name, email: `${name}@example.com`, password: 'password123' };
  const res = await app.app.inject({ method: 'POST', url: '/api/users', payload: { user } });
  expect(res.statusCode).toBe(201);
  return res.json().user.token as string;
}

async function publish(app: TestApp, token: string, title: string): Promise<string> {
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/articles',
    headers: { authorization: `Token ${token}` },
    payload: { article: { title, description: 'd', body: 'b' } },
  });
  expect(res.statusCode).toBe(201);
  return res.json().article.slug as string;
}

describe('GET /metrics', () => {
  it('counts requests by method, route template and status, and use cases by outcome', async () => {
    const app = await start();
    const token = await register(app, 'counted');
    const slugs = [];
    for (const title of ['Counted Zebra One', 'Counted Zebra Two', 'Counted Zebra Three']) slugs.push(await publish(app, token, title));
    for (const slug of slugs) expect((await app.app.inject({ method: 'GET', url: `/api/articles/${slug}` })).statusCode).toBe(200);
    expect((await app.app.inject({ method: 'GET', url: '/api/articles/no-such-article' })).statusCode).toBe(404);
    expect((await app.app.inject({ method: 'GET', url: '/nowhere/at/all' })).statusCode).toBe(404);
    const unauthorised = await app.app.inject({ method: 'POST', url: '/api/articles', payload: { article: { title: 'x' } } });
    expect(unauthorised.statusCode).toBe(401);
    // Writers are answered before their events leave the queue (ADR 024).
    await app.application.composition.container.get(Projector).acknowledged();

    const text = await scrape(app);
    const http = (method: string, route: string, status: number) =>
      sample(text, 'http_request_duration_seconds_count', { method, route, status_code: String(status) });
    expect(http('POST', '/api/articles', 201)).toBe(3);
    expect(http('POST', '/api/articles', 401)).toBe(1);
    expect(http('POST', '/api/users', 201)).toBe(1);
    expect(http('GET', '/api/articles/:slug', 200)).toBe(3);
    expect(http('GET', '/api/articles/:slug', 404)).toBe(1);
    expect(http('GET', 'unmatched', 404)).toBe(1);
    // Never the raw URL: no series names a slug.
    expect(text).not.toContain(slugs[0]);
    expect(sample(text, 'http_request_duration_seconds_bucket', { method: 'POST', route: '/api/articles', status_code: '201', le: '+Inf' })).toBe(3);

    const useCase = (use_case: string, kind: string, outcome: string) =>
      sample(text, 'conduit_use_case_duration_seconds_count', { use_case, kind, outcome });
    expect(useCase('createArticle', 'command', 'ok')).toBe(3);
    expect(useCase('registerUser', 'command', 'ok')).toBe(1);
    expect(useCase('getArticle', 'query', 'ok')).toBe(3);
    expect(useCase('getArticle', 'query', 'not-found')).toBe(1);

    expect(sample(text, 'conduit_outbox_pending_events', { subscriber: 'projector' })).toBe(0);
    expect(sample(text, 'conduit_outbox_parked_events', { subscriber: 'projector' })).toBe(0);
    expect(sample(text, 'conduit_outbox_oldest_pending_age_seconds', { subscriber: 'projector' })).toBe(0);
    expect(sample(text, 'conduit_ready')).toBe(1);
    expect(sample(text, 'conduit_dependency_up', { dependency: 'read_store' })).toBe(1);
    expect(sample(text, 'conduit_dependency_up', { dependency: 'cache' })).toBe(1);
    // Projections ran in process, one per event: the user and the three articles.
    expect(sample(text, 'conduit_projection_duration_seconds_count', { event_type: 'ArticlePublished' })).toBe(3);
    expect(sample(text, 'conduit_projection_duration_seconds_count', { event_type: 'UserRegistered' })).toBe(1);
    // The embedded stack has no PostgreSQL pool.
    expect(sample(text, 'conduit_db_pool_connections', { state: 'used' })).toBeUndefined();
  });

  it('counts and times the embedded database’s statements by kind, every transaction with its begin and its end', { timeout: 120_000 }, async () => {
    const stack = await openStackEnvironment('pglite');
    const application = await createApplication(loadConfig(stack.env as NodeJS.ProcessEnv), {
      logger: pino({ level: 'silent' }),
      passwordHasher: new FastTestHasher(),
    });
    const app: TestApp = { app: application.http, application, close: async () => (await application.close(), await stack.close()) };
    apps.push(app);
    const token = await register(app, 'statements');
    const sent = (text: string, kind: string) => sample(text, 'conduit_db_statements_total', { kind, outcome: 'ok' }) ?? 0;
    // A scrape may fall inside the background catch-up's transaction: read until none is open.
    const settled = async () => {
      for (let attempt = 0; ; attempt++) {
        const text = await scrape(app);
        if (sent(text, 'begin') === sent(text, 'commit') + sent(text, 'rollback') || attempt === 20) return text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const before = await settled();
    await publish(app, token, 'Counted Statements');
    const after = await settled();

    expect(sent(after, 'begin')).toBe(sent(after, 'commit') + sent(after, 'rollback'));
    // The create's save (a statement with data-modifying CTEs) and its projection (a transaction).
    expect(sent(after, 'begin')).toBeGreaterThan(sent(before, 'begin'));
    expect(sent(after, 'with') + sent(after, 'insert')).toBeGreaterThan(sent(before, 'with') + sent(before, 'insert'));
    for (const kind of ['select', 'with', 'begin', 'commit']) {
      const count = sample(after, 'conduit_db_statement_duration_seconds_count', { kind });
      expect(count, kind).toBe(sent(after, kind) + (sample(after, 'conduit_db_statements_total', { kind, outcome: 'error' }) ?? 0));
    }
    expect(sample(after, 'conduit_db_statement_duration_seconds_sum', { kind: 'with' })).toBeGreaterThan(0);
  });

  it('counts cache hits and misses of cached queries', async () => {
    const app = await start();
    const token = await register(app, 'cached');
    const slug = await publish(app, token, 'Cached');
    const before = await scrape(app);
    const get = () => app.app.inject({ method: 'GET', url: `/api/articles/${slug}` });
    for (let i = 0; i < 4; i++) expect((await get()).statusCode).toBe(200);
    const after = await scrape(app);
    const delta = (result: string) =>
      (sample(after, 'conduit_cache_requests_total', { result }) ?? 0) - (sample(before, 'conduit_cache_requests_total', { result }) ?? 0);
    // The first fill stores only the tags the data depends on, the second the entry (ADR 012).
    expect(delta('miss')).toBe(2);
    expect(delta('hit')).toBe(2);
    expect(delta('error')).toBe(0);
  });

  it('counts rejections of the global rate limit and of the login guard', async () => {
    const app = await start({ rateLimitPerMinute: 3, loginMaxFailures: 1 });
    await register(app, 'limited');
    const login = () =>
      app.app.inject({ method: 'POST', url: '/api/users/login', payload: { user: { email: 'limited@example.com', password: 'wrong-password' } } });
    expect((await login()).statusCode).toBe(401);
    expect((await login()).statusCode).toBe(429);
    expect((await app.app.inject({ method: 'GET', url: '/api/tags' })).statusCode).toBe(429);
    const text = await scrape(app);
    expect(sample(text, 'conduit_rate_limit_rejections_total', { limit: 'login' })).toBe(1);
    expect(sample(text, 'conduit_rate_limit_rejections_total', { limit: 'global' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/tags', status_code: '429' })).toBe(1);
  });

  it('exposes exactly the cataloged metrics, with their labels, and the default ones', async () => {
    const app = await start();
    await register(app, 'catalog');
    const text = await scrape(app);
    const declared = new Map<string, string>();
    for (const line of text.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) declared.set(type[1]!, type[2]!);
    }
    const catalog = { ...APPLICATION_METRICS, ...DEFAULT_METRICS };
    for (const [name, type] of declared) {
      expect(catalog[name], `${name} is exposed but not cataloged`).toBeDefined();
      expect(type).toBe(catalog[name]!.type);
    }
    for (const key of samples(text).keys()) {
      const [, name, labels] = /^([^{]+)\{(.*)\}$/.exec(key)!;
      const base = name!.replace(/_(bucket|sum|count)$/, '');
      const spec = catalog[name!] ?? catalog[base];
      expect(spec, key).toBeDefined();
      const names = [...labels!.matchAll(/(\w+)="/g)].map((m) => m[1]).filter((label) => label !== 'le');
      for (const label of names) expect(spec!.labels, `${key}: label ${label}`).toContain(label);
    }
    expect(declared.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
  });

  it('is served on METRICS_PORT alone when that is set', async () => {
    const app = await start({ metricsPort: 0 });
    const port = app.application.metricsPort;
    expect(port).toBeGreaterThan(0);
    expect((await app.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    await register(app, 'apart');
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/users', status_code: '201' })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('refuses a METRICS_PORT equal to PORT', () => {
    expect(() => loadConfig({ PORT: '3000', METRICS_PORT: '3000' })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
  });

  it('is absent with METRICS=off: no registry, no route', async () => {
    const app = await start({ metrics: 'off' });
    expect(app.application.composition.telemetry.metrics).toBeNull();
    expect((await app.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
