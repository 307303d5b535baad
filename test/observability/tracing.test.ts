import { spawn } from 'node:child_process';
import { tracingChannel } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventOutbox } from '../../src/application/read-side/event-outbox.js';
import { LoginAttempts } from '../../src/application/users/login-attempts.js';
import { MongoOrmToken, type MongoOrm } from '../../src/adapters/mongodb/mongo-read-orm.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { OpenTelemetryTracing } from '../../src/adapters/opentelemetry/otel-tracing.js';
import { SqlDatabase } from '../../src/adapters/sql/sql-database.js';
import { createApplication } from '../../src/composition/processes.js';
import { startTelemetry } from '../../src/composition/telemetry.js';
import { loadConfig } from '../../src/config/config.js';
import { openStackEnvironment, registerAndPublish, startTestApp, type TestApp } from '../support/app.js';
import { FastTestHasher } from '../http/support/client.js';
import { deleteNamespace, openTestLink, SHARED_REDIS_URL, uniquePrefix } from '../adapters/redis/redis-test-support.js';

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
  return (await publishAs(app, headers)).slug;
}

/** Registers `traced` and publishes an article as them: its slug, and their token. */
const publishAs = (app: TestApp, headers: Record<string, string>): Promise<{ slug: string; token: string }> =>
  registerAndPublish(app.app, 'traced', 'Traced all the way', headers);

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

/** `span` and the spans above it, nearest first (those exported). */
function ancestry(spans: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans.map((each) => [idOf(each), each]));
  const chain: ReadableSpan[] = [];
  for (let parent = byId.get(parentOf(span) ?? ''); parent; parent = byId.get(parentOf(parent) ?? '')) chain.push(parent);
  return chain;
}

const under = (spans: readonly ReadableSpan[], ancestor: ReadableSpan) => (span: ReadableSpan) =>
  ancestry(spans, span).some((each) => idOf(each) === idOf(ancestor));

const millis = ([seconds, nanos]: readonly [number, number]) => seconds * 1000 + nanos / 1e6;

describe.skipIf(!process.env.TEST_DATABASE_URL)('client spans: MikroORM on PostgreSQL, MongoDB, Redis', () => {
  it('spans the ORM’s statements, the read store’s commands and the Redis calls; tracing off installs no hook', { timeout: 240_000 }, async () => {
    const stack = await openStackEnvironment('postgres+mongodb');
    const prefix = uniquePrefix('traced');
    const env = { ...stack.env, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, REDIS_TIMEOUT_MS: '2000', RATE_LIMIT_PER_MINUTE: '1000' };
    const config = loadConfig(env as NodeJS.ProcessEnv);
    const exporter = new InMemorySpanExporter();
    try {
      const application = await createApplication(config, {
        logger: pino({ level: 'silent' }),
        passwordHasher: new FastTestHasher(),
        spanExporter: exporter,
      });
      const app: TestApp = { app: application.http, application, close: async () => {} };
      const { container } = application.composition;
      try {
        const { slug, token } = await publishAs(app, {});
        const update = { article: { description: 'updated through a loaded aggregate' } };
        const updated = await app.app.inject({
          method: 'PUT',
          url: `/api/articles/${slug}`,
          headers: { authorization: `Token ${token}` },
          payload: update,
        });
        expect(updated.statusCode).toBe(200);
        expect((await app.app.inject({ method: 'GET', url: `/api/articles/${slug}` })).statusCode).toBe(200);
        const wrong = { user: { email: 'traced@example.com', password: 'not the password' } };
        expect((await app.app.inject({ method: 'POST', url: '/api/users/login', payload: wrong })).statusCode).toBe(401);

        const spans = exporter.getFinishedSpans();
        // MikroORM's entity-manager load of the article: under the PUT, with placeholders, timed within it.
        const [put] = named(spans, 'PUT /api/articles/:slug');
        expect(put).toBeDefined();
        const orm = spans.filter((span) => span.attributes['conduit.orm'] === 'mikro-orm' && under(spans, put!)(span));
        expect(orm.length).toBeGreaterThan(0);
        const load = orm.find((span) => String(span.attributes['db.query.text']).includes('from "articles"'));
        expect(load?.name).toBe('sql select');
        expect(load!.kind).toBe(SpanKind.CLIENT);
        expect(load!.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.operation.name': 'select', 'conduit.database': 'postgresql' });
        const text = String(load!.attributes['db.query.text']);
        expect(text).toContain('?');
        expect(text).not.toContain(slug);
        expect(millis(load!.startTime)).toBeGreaterThanOrEqual(millis(put!.startTime));
        expect(millis(load!.endTime)).toBeLessThanOrEqual(millis(put!.endTime));
        expect(millis(load!.endTime)).toBeGreaterThanOrEqual(millis(load!.startTime));

        // The read of the article on the MongoDB read model.
        const [read] = named(spans, 'use case getArticle');
        const commands = spans.filter((span) => span.attributes['db.system.name'] === 'mongodb' && under(spans, read!)(span));
        const find = commands.find((span) => span.name === 'mongodb find' && String(span.attributes['db.collection.name']).endsWith('_articles'));
        expect(find?.kind).toBe(SpanKind.CLIENT);
        expect(find!.attributes).toMatchObject({ 'db.operation.name': 'find', 'db.query.text': `find ${String(find!.attributes['db.collection.name'])}` });
        expect(JSON.stringify(commands.map((span) => span.attributes))).not.toContain(slug);

        // Redis: the rate limit's counter (in the request, before the handler), the failed login's counters.
        const [get] = named(spans, 'GET /api/articles/:slug');
        const counted = spans.filter((span) => span.name === 'redis MULTI' && parentOf(span) === idOf(get!));
        expect(counted).toHaveLength(1);
        expect(counted[0]!.attributes).toMatchObject({ 'db.system.name': 'redis', 'db.operation.name': 'MULTI', 'db.operation.batch.size': 3 });
        const [login] = named(spans, 'use case loginUser');
        const recorded = spans.filter((span) => span.attributes['db.system.name'] === 'redis' && parentOf(span) === idOf(login!));
        // Per account and per address: the failures so far (GET, PTTL each), then the one counted (INCR, EXPIRE each).
        expect(recorded.map((span) => `${span.name} ${String(span.attributes['db.operation.batch.size'])}`)).toEqual([
          'redis MULTI 4',
          'redis MULTI 4',
        ]);
        expect(JSON.stringify(spans.filter((span) => span.attributes['db.system.name'] === 'redis').map((span) => span.attributes))).not.toContain(prefix);

        // Concurrent callers: each command is a child of its own caller's span.
        const tracing = application.composition.telemetry.tracing!.tracing;
        const mongo = container.get<MongoOrm>(MongoOrmToken).em.getConnection().getDb().collection('probes');
        const attempts = container.get<LoginAttempts>(LoginAttempts);
        exporter.reset();
        const callers = await Promise.all(
          ['a', 'b', 'c'].map((tag) =>
            tracing.span(`probe ${tag}`, {}, async (span) => {
              await mongo.insertOne({ tag });
              await Promise.all([mongo.find({ tag }).toArray(), attempts.check([tag])]);
              return span.spanContext().spanId;
            }),
          ),
        );
        const probed = exporter.getFinishedSpans();
        for (const caller of callers)
          expect(probed.filter((span) => parentOf(span) === caller).map((span) => span.name).sort()).toEqual([
            'mongodb find',
            'mongodb insert',
            'redis MULTI',
          ]);
      } finally {
        await application.close();
      }

      // The same stack without tracing (and without metrics, which count the ORM's statements): no listener on the
      // ORM's log, no command monitoring, no channel subscriber.
      const plain = await createApplication({ ...config, metrics: 'off' }, { logger: pino({ level: 'silent' }), passwordHasher: new FastTestHasher() });
      try {
        const plainContainer = plain.composition.container;
        expect(plain.composition.telemetry.tracing).toBeNull();
        expect(plainContainer.get(SqlDatabase).ormLog()?.listening).toBe(false);
        const client = plainContainer.get<MongoOrm>(MongoOrmToken).em.getConnection().getClient();
        expect(client.options.monitorCommands).toBe(false);
        expect(client.listenerCount('commandStarted')).toBe(0);
        expect((await plain.http.inject({ method: 'GET', url: '/api/articles' })).statusCode).toBe(200);
        expect(tracingChannel('node-redis:command').hasSubscribers).toBe(false);
        expect(tracingChannel('node-redis:batch').hasSubscribers).toBe(false);
      } finally {
        await plain.close();
      }
    } finally {
      const link = await openTestLink();
      await deleteNamespace(link, prefix);
      await link.close();
      await stack.close();
    }
  });
});
