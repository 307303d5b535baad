import {
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cache } from '../../application/caching/cache.js';
import type { DomainError } from '../../domain/index.js';
import type { UseCaseWrapper } from '../../application/use-cases.js';
import type { MongoCommandObserver } from '../mongodb/mongo-commands.js';
import type { RedisCommandObserver } from '../redis/redis-commands.js';
import type { StatementObserver } from '../sql/sql-database.js';
import { markFailed, type OpenTelemetryTracing } from './otel-tracing.js';

const propagator = new W3CTraceContextPropagator();

/**
 * The server span of every request, continuing the caller's `traceparent`. The span is made
 * current in `onRequest` and again in `preHandler`: a body arrives on socket events, which
 * do not carry the request's async context, so the handler (and every span under it) gets
 * it back there.
 */
export function traceHttp(tracing: OpenTelemetryTracing): (app: FastifyInstance) => void {
  const open = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
  const finish = (request: FastifyRequest, statusCode: number | null) => {
    const traced = open.get(request);
    if (!traced) return;
    open.delete(request);
    const route = request.routeOptions.url;
    if (route) {
      traced.span.updateName(`${request.method} ${route}`);
      traced.span.setAttribute('http.route', route);
    }
    if (statusCode === null) traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
    else {
      traced.span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    traced.span.end();
  };
  return (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      // Probes and scrapes arrive every few seconds: a trace each would bury the requests that matter.
      if (request.url.startsWith('/health/') || request.url === '/metrics') return done();
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
      const span = tracing.tracer.startSpan(
        request.method,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0] } },
        parent,
      );
      const context = trace.setSpan(parent, span);
      open.set(request, { span, context });
      request.log = reply.log = tracing.bindLogger(request.log, span);
      tracing.within(context, done);
    });
    app.addHook('preHandler', (request, _reply, done) => {
      const traced = open.get(request);
      if (traced) tracing.within(traced.context, done);
      else done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      finish(request, reply.statusCode);
      done();
    });
    app.addHook('onRequestAbort', (request, done) => {
      finish(request, null);
      done();
    });
  };
}

/** A span per use case, outermost of the wrappers (so cache lookups and read-your-writes are inside it). */
export function traceUseCases(tracing: OpenTelemetryTracing): UseCaseWrapper {
  return {
    wrap: (name, kind, handler) => ({
      execute: (input) =>
        tracing.span(`use case ${name}`, { 'conduit.use_case': name, 'conduit.use_case.kind': kind }, async (span) => {
          const result = await handler.execute(input);
          if (result.isErr()) {
            const error = result.error as DomainError;
            span.setAttributes({ 'conduit.outcome': error.kind, 'conduit.error_code': error.code });
          } else span.setAttribute('conduit.outcome', 'ok');
          return result;
        }),
    }),
  };
}

/**
 * A client span per SQL statement: the text has placeholders only (values travel as bind
 * parameters). Those of `SqlDatabase` are spans around the work; those MikroORM ran by
 * itself are reported once done, so their span is built from the times it measured.
 */
export function traceStatements(tracing: OpenTelemetryTracing, system: 'postgresql' | 'pglite'): StatementObserver {
  const described = (sql: string) => {
    const operation = sql === 'transaction' ? 'transaction' : (/^\s*(\w+)/.exec(sql)?.[1] ?? 'sql').toLowerCase();
    const attributes = { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': sql.slice(0, 2000), 'conduit.database': system };
    return { name: `sql ${operation}`, attributes };
  };
  return {
    statement: (sql, work) => {
      if (trace.getSpan(tracing.active()) === undefined) return work();
      const { name, attributes } = described(sql);
      return tracing.span(name, attributes, () => work(), SpanKind.CLIENT);
    },
    ran: ({ sql, startedAt, endedAt, failed }) => {
      const parent = tracing.active();
      if (trace.getSpan(parent) === undefined) return;
      const { name, attributes } = described(sql);
      const span = tracing.tracer.startSpan(
        name,
        { kind: SpanKind.CLIENT, attributes: { ...attributes, 'conduit.orm': 'mikro-orm' }, startTime: startedAt },
        parent,
      );
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(endedAt);
    },
  };
}

/** A client span, child of the current one, from now until the answered function is called; none outside any span. */
function clientCall(tracing: OpenTelemetryTracing, name: string, attributes: Attributes): ((failure?: unknown) => void) | undefined {
  const parent = tracing.active();
  if (trace.getSpan(parent) === undefined) return undefined;
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  return (failure) => {
    if (failure !== undefined) markFailed(span, failure);
    span.end();
  };
}

/** host:port (or [v6]:port) as the semantic conventions' server.address and server.port. */
const server = (address: string): Attributes => {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  return colon > 0 && Number.isInteger(port) ? { 'server.address': address.slice(0, colon), 'server.port': port } : { 'server.address': address };
};

/** A client span per MongoDB command (read store, writers, generations): its name and collection, never a filter or a document. */
export function traceMongoCommands(tracing: OpenTelemetryTracing): MongoCommandObserver {
  return {
    started: ({ name, collection, database, address }) =>
      clientCall(tracing, `mongodb ${name}`, {
        'db.system.name': 'mongodb',
        'db.operation.name': name,
        'db.namespace': database,
        'db.query.text': collection === undefined ? name : `${name} ${collection}`,
        ...(collection !== undefined && { 'db.collection.name': collection }),
        ...server(address),
      }),
  };
}

/** A client span per Redis command or MULTI (rate limits, login attempts, the cache's own calls): the command, never a key or a value. */
export function traceRedisCommands(tracing: OpenTelemetryTracing): RedisCommandObserver {
  return {
    started: ({ name, batchSize, database, address, port }) =>
      clientCall(tracing, `redis ${name}`, {
        'db.system.name': 'redis',
        'db.operation.name': name,
        'db.namespace': String(database),
        'server.address': address,
        ...(port !== undefined && { 'server.port': port }),
        ...(batchSize !== undefined && { 'db.operation.batch.size': batchSize }),
      }),
  };
}

/** Spans around the query cache's calls (lookups, stamps, stores). */
export function traceCache(tracing: OpenTelemetryTracing, cache: Cache): Cache {
  const spanned = <T>(operation: string, count: number, work: () => Promise<T>) =>
    trace.getSpan(tracing.active()) === undefined
      ? work()
      : tracing.span(`cache ${operation}`, { 'conduit.cache.kind': cache.kind, 'conduit.cache.keys': count }, () => work(), SpanKind.CLIENT);
  return {
    kind: cache.kind,
    get: (keys) => spanned('get', keys.length, () => cache.get(keys)),
    set: (entries) => spanned('set', entries.length, () => cache.set(entries)),
    stamps: (tags) => spanned('stamps', tags.length, () => cache.stamps(tags)),
    recentStamps: (tags) => spanned('recent stamps', tags.length, () => cache.recentStamps(tags)),
    bump: (tags) => spanned('bump', tags.length, () => cache.bump(tags)),
    bumpAll: () => spanned('bump all', 0, () => cache.bumpAll()),
    state: () => cache.state(),
    close: () => cache.close(),
  };
}
