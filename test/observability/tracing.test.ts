import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventOutbox } from '../../src/application/read-side/event-outbox.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { OpenTelemetryTracing } from '../../src/adapters/opentelemetry/otel-tracing.js';
import { createApplication } from '../../src/composition/processes.js';
import { startTelemetry } from '../../src/composition/telemetry.js';
import { loadConfig } from '../../src/config/config.js';
import { openStackEnvironment, startTestApp, type TestApp } from '../support/app.js';
import { FastTestHasher } from '../http/support/client.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

async function publish(app: TestApp, headers: Record<string, string>): Promise<string> {
  const user = { username: 'traced', email: 'traced@example.com', password: 'password123' };
  const registered = await app.app.inject({ method: 'POST', url: '/api/users', payload: { user } });
  expect(registered.statusCode).toBe(201);
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/articles',
    headers: { ...headers, authorization: `Token ${registered.json().user.token}` },
    payload: { article: { title: 'Traced all the way', description: 'd', body: 'b' } },
  });
  expect(res.statusCode).toBe(201);
  return res.json().article.slug as string;
}

describe('tracing', () => {
  it('follows POST /api/articles from the caller’s traceparent through the handler to the projection', async () => {
    const exporter = new InMemorySpanExporter();
    const app = await startTestApp({}, { passwordHasher: new FastTestHasher(), spanExporter: exporter });
    apps.push(app);
    const slug = await publish(app, { traceparent });
    expect((await app.app.inject({ method: 'GET', url: `/api/articles/${slug}` })).statusCode).toBe(200);
    expect((await app.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    const spans = exporter.getFinishedSpans();
    // Probes are not traced.
    expect(spans.filter((span) => String(span.attributes['url.path']).startsWith('/health/'))).toEqual([]);
    const [server] = named(spans, 'POST /api/articles');
    expect(server).toBeDefined();
    expect(server!.spanContext().traceId).toBe(CALLER_TRACE);
    expect(parentOf(server!)).toBe(CALLER_SPAN);
    expect(server!.attributes['http.route']).toBe('/api/articles');
    expect(server!.attributes['http.response.status_code']).toBe(201);

    const [handler] = named(spans, 'use case createArticle');
    expect(handler?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(parentOf(handler!)).toBe(idOf(server!));
    expect(handler!.attributes['conduit.outcome']).toBe('ok');

    const projection = named(spans, 'project events').find((span) => span.attributes['conduit.event_types'] === 'ArticlePublished');
    expect(projection?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(parentOf(projection!)).toBe(idOf(handler!));

    // The query that followed is its own trace, with its cache calls inside the handler's span.
    const [read] = named(spans, 'use case getArticle');
    expect(read?.spanContext().traceId).not.toBe(CALLER_TRACE);
    const cacheCalls = spans.filter((span) => span.name.startsWith('cache ') && parentOf(span) === idOf(read!));
    expect(cacheCalls.map((span) => span.name)).toContain('cache get');

    // The event in the outbox carries the handler's context, for a projector elsewhere.
    const outbox = app.application.composition.container.get<EventOutbox>(EventOutbox);
    const stored = (await outbox.readAfter(0, 10)).find((entry) => entry.event.type === 'ArticlePublished');
    expect(stored?.traceContext).toBe(`00-${CALLER_TRACE}-${idOf(handler!)}-01`);
  });

  it('spans SQL statements on the embedded database', { timeout: 180_000 }, async () => {
    const exporter = new InMemorySpanExporter();
    const stack = await openStackEnvironment('pglite');
    const application = await createApplication(loadConfig(stack.env as NodeJS.ProcessEnv), {
      logger: pino({ level: 'silent' }),
      passwordHasher: new FastTestHasher(),
      spanExporter: exporter,
    });
    apps.push({ app: application.http, application, close: async () => (await application.close(), await stack.close()) });
    await publish({ app: application.http, application, close: async () => {} }, {});
    const spans = exporter.getFinishedSpans();
    const [handler] = named(spans, 'use case createArticle');
    const statements = spans.filter((span) => span.name.startsWith('sql ') && parentOf(span) === idOf(handler!));
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((span) => span.attributes['db.system.name'] === 'postgresql')).toBe(true);
    expect(statements.some((span) => String(span.attributes['db.query.text']).includes('insert into outbox'))).toBe(true);
  });

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: no tracer, no context stored with events', async () => {
    const app = await startTestApp({}, { passwordHasher: new FastTestHasher() });
    apps.push(app);
    expect(app.application.composition.telemetry.tracing).toBeNull();
    await publish(app, { traceparent });
    const outbox = app.application.composition.container.get<EventOutbox>(EventOutbox);
    expect((await outbox.readAfter(0, 10)).every((entry) => entry.traceContext === undefined)).toBe(true);

    const disabled = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' });
    expect((await startTelemetry(disabled, 'conduit-api')).tracing).toBeNull();
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });

  it('puts the trace and span ids on log lines written inside a span, and only there', async () => {
    const tracing = new OpenTelemetryTracing({ serviceName: 'test', exporter: new InMemorySpanExporter() });
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const logger = createLogger({ logLevel: 'info', env: 'test' }, (_line, _level, log) => tracing.logFields(log), sink);
    logger.info('outside');
    const ids = await tracing.span('work', {}, async (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    await tracing.shutdown();
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
  });
});

interface Export {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A stand-in OTLP collector: keeps what it is sent. */
async function startCollector(): Promise<{ server: Server; url: string; exports: Export[] }> {
  const exports: Export[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('tracing across processes', () => {
  it('continues the request’s trace in the worker process that projects its event (OTLP/HTTP protobuf)', { timeout: 180_000 }, async () => {
    const collector = await startCollector();
    const stack = await openStackEnvironment('postgres');
    const env = { ...stack.env, PROJECTOR: 'worker', READ_YOUR_WRITES_TIMEOUT_MS: '20000', LOG_LEVEL: 'error' };
    const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: { ...process.env, ...env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'conduit-worker-test' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exporter = new InMemorySpanExporter();
    const application = await createApplication(loadConfig(env as NodeJS.ProcessEnv), {
      logger: pino({ level: 'silent' }),
      passwordHasher: new FastTestHasher(),
      spanExporter: exporter,
    });
    try {
      await publish({ app: application.http, application, close: async () => {} }, { traceparent });
      const [handler] = named(exporter.getFinishedSpans(), 'use case createArticle');
      expect(handler).toBeDefined();
      // Projected by the worker (the write waited for it, unless the worker was slow to start).
      const outbox = application.composition.container.get<EventOutbox>(EventOutbox);
      while ((await outbox.backlog('projector')).pending > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      // The worker exports what it buffered when it stops.
      worker.kill('SIGTERM');
      await once(worker, 'exit');
      const traces = collector.exports.filter((sent) => sent.url === '/v1/traces');
      expect(traces.length).toBeGreaterThan(0);
      expect(traces.every((sent) => sent.headers['content-type'] === 'application/x-protobuf')).toBe(true);
      const body = Buffer.concat(traces.map((sent) => sent.body));
      // The projection span: in the request's trace, child of the handler's span, from the worker's service.
      expect(body.includes(Buffer.from('project events'))).toBe(true);
      expect(body.includes(Buffer.from(CALLER_TRACE, 'hex'))).toBe(true);
      expect(body.includes(Buffer.from(idOf(handler!), 'hex'))).toBe(true);
      expect(body.includes(Buffer.from('conduit-worker-test'))).toBe(true);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await application.close();
      await stack.close();
      collector.server.close();
    }
  });
});
