import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cache } from '../../application/caching/cache.js';
import type { DomainError } from '../../domain/index.js';
import type { UseCaseWrapper } from '../../application/use-cases.js';
import type { StatementObserver } from '../sql/sql-database.js';
import type { OpenTelemetryTracing } from './otel-tracing.js';

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

/** A client span per SQL statement: the text has placeholders only (values travel as bind parameters). */
export function traceStatements(tracing: OpenTelemetryTracing, system: 'postgresql' | 'pglite'): StatementObserver {
  return {
    statement: (sql, work) => {
      if (trace.getSpan(tracing.active()) === undefined) return work();
      const operation = sql === 'transaction' ? 'transaction' : (/^\s*(\w+)/.exec(sql)?.[1] ?? 'sql').toLowerCase();
      return tracing.span(
        `sql ${operation}`,
        { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': sql.slice(0, 2000), 'conduit.database': system },
        () => work(),
        SpanKind.CLIENT,
      );
    },
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
