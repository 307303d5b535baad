/**
 * Spans for work that does not run inside the request that caused it: a projector applying
 * events, perhaps in another process, continues the trace context stored with each event
 * (W3C traceparent text). Bound to a no-op unless tracing is on.
 */
export interface Tracing {
  /**
   * Runs `work` in a span named `name`: a child of `parent` (a stored trace context) when
   * given, else of whatever span is current; linked to every context of `links`.
   */
  inSpan<T>(
    name: string,
    trace: {
      readonly parent?: string | undefined;
      readonly links?: readonly string[];
      readonly attributes?: Readonly<Record<string, string | number>>;
    },
    work: () => Promise<T>,
  ): Promise<T>;
}
export const Tracing = Symbol.for('Tracing');

/** Tracing off: the work runs as it is. */
export const noTracing: Tracing = { inSpan: (_name, _trace, work) => work() };
