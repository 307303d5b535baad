import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { Tracing } from '../../application/shared/tracing.js';

export interface TracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  readonly serviceName: string;
  /** Where spans go; default: OTLP over HTTP (protobuf), configured by the OTEL_EXPORTER_OTLP_* variables. */
  readonly exporter?: SpanExporter | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

/** A W3C traceparent: version 00, trace id, span id, flags. */
const traceparentOf = (span: Span): string | undefined => {
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return undefined;
  return `00-${traceId}-${spanId}-${(traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0')}`;
};

/** Records `error` on `span` and marks the span failed. */
export function markFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the specification names them; parent-based always-on by default. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const fraction = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  switch ((env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(fraction);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(fraction) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * The process's tracer, with spans made by hand at the seams the project owns (HTTP, use
 * cases, SQL statements, MongoDB and Redis commands, cache calls, projections: ADR 013)
 * rather than by patching modules. It installs nothing global: the current span travels
 * in an AsyncLocalStorage of its own, so two compositions in one process (tests) never
 * see each other's spans (node-redis's diagnostics channels are process-wide, but each
 * link's subscriber keeps to its own client).
 */
export class OpenTelemetryTracing implements Tracing {
  private readonly storage = new AsyncLocalStorage<Context>();
  private readonly boundLoggers = new WeakSet<object>();
  private readonly provider: TracerProvider;
  readonly tracer: Tracer;

  constructor(options: TracingOptions) {
    const env = options.env ?? process.env;
    const resource = defaultResource()
      .merge(resourceFromAttributes({ 'service.name': options.serviceName }))
      .merge(detectResources({ detectors: [envDetector] }));
    const processor = options.exporter
      ? new SimpleSpanProcessor({ exporter: options.exporter })
      : new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
    this.provider = new TracerProvider({ resource, sampler: samplerFromEnv(env), spanProcessors: [processor] });
    this.tracer = this.provider.getTracer('conduit-cqrs');
  }

  /** The context of the current span (the root context outside any). */
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  /** Runs `work` with `context` current. */
  within<T>(context: Context, work: () => T): T {
    return this.storage.run(context, work);
  }

  /** The current span as a W3C traceparent (stored with outbox events); undefined outside any span. */
  current(): string | undefined {
    const span = trace.getSpan(this.active());
    return span ? traceparentOf(span) : undefined;
  }

  /**
   * The current span's ids for a log line (pino `mixin`); nothing outside a span, nor for a
   * logger that carries a request's ids already (`bindLogger`).
   */
  logFields(logger?: object): Record<string, string> {
    if (logger !== undefined && this.boundLoggers.has(logger)) return {};
    const span = trace.getSpan(this.active());
    if (!span || !trace.isSpanContextValid(span.spanContext())) return {};
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  }

  /**
   * A child logger carrying the span's ids: request logs are written from socket events,
   * outside the request's async context, so the ids must travel with the logger there.
   */
  bindLogger<L extends { child(bindings: Record<string, string>): L }>(logger: L, span: Span): L {
    const { traceId, spanId } = span.spanContext();
    const child = logger.child({ trace_id: traceId, span_id: spanId });
    this.boundLoggers.add(child);
    return child;
  }

  /** Runs `work` in a new span, child of the current one; ends it, marking exceptions as errors. */
  async span<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
    return this.run(this.tracer.startSpan(name, { kind, attributes }, this.active()), work);
  }

  inSpan<T>(
    name: string,
    options: { readonly parent?: string | undefined; readonly links?: readonly string[]; readonly attributes?: Attributes },
    work: () => Promise<T>,
  ): Promise<T> {
    const stored = options.parent === undefined ? null : parseTraceParent(options.parent);
    const parent = stored ? trace.setSpanContext(ROOT_CONTEXT, stored) : this.active();
    const links: Link[] = (options.links ?? [])
      .map((text) => parseTraceParent(text))
      .filter((context) => context !== null)
      .map((context) => ({ context }));
    const span = this.tracer.startSpan(name, { kind: SpanKind.CONSUMER, links, attributes: options.attributes ?? {} }, parent);
    return this.run(span, () => work());
  }

  /** Sends the spans still buffered and stops (at process end). */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }

  private async run<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
    try {
      return await this.storage.run(trace.setSpan(this.active(), span), () => work(span));
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }
}
