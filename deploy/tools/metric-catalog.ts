/**
 * The metrics conduit-cqrs exposes: the contract between the processes (prom-client in
 * src/adapters/observability) and the operations assets (alert rules, dashboard). Every
 * PromQL expression in deploy/ is checked against this list, so a renamed metric or a
 * misspelt label fails CI instead of leaving an alert silently blind.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly type: MetricType;
  /** Labels the process sets; Prometheus adds `job` and `instance` to every series. */
  readonly labels: readonly string[];
}

export const APPLICATION_METRICS: Readonly<Record<string, MetricSpec>> = {
  http_request_duration_seconds: { type: 'histogram', labels: ['method', 'route', 'status_code'] },
  conduit_use_case_duration_seconds: { type: 'histogram', labels: ['use_case', 'kind', 'outcome'] },
  conduit_outbox_pending_events: { type: 'gauge', labels: ['subscriber'] },
  conduit_outbox_oldest_pending_age_seconds: { type: 'gauge', labels: ['subscriber'] },
  conduit_outbox_parked_events: { type: 'gauge', labels: ['subscriber'] },
  conduit_projection_duration_seconds: { type: 'histogram', labels: ['event_type'] },
  conduit_projection_failures_total: { type: 'counter', labels: ['event_type'] },
  conduit_read_your_writes_wait_seconds: { type: 'histogram', labels: [] },
  conduit_read_your_writes_timeouts_total: { type: 'counter', labels: [] },
  conduit_cache_requests_total: { type: 'counter', labels: ['result'] },
  conduit_dependency_up: { type: 'gauge', labels: ['dependency'] },
  conduit_ready: { type: 'gauge', labels: [] },
  conduit_rate_limit_rejections_total: { type: 'counter', labels: ['limit'] },
  conduit_db_pool_connections: { type: 'gauge', labels: ['state'] },
  conduit_db_statements_total: { type: 'counter', labels: ['kind', 'outcome'] },
  conduit_db_statement_duration_seconds: { type: 'histogram', labels: ['kind'] },
  conduit_relay_lag_seconds: { type: 'gauge', labels: [] },
  conduit_bus_messages_total: { type: 'counter', labels: ['consumer', 'outcome'] },
  conduit_bus_dead_letters_total: { type: 'counter', labels: ['consumer'] },
};

/** prom-client 15's `collectDefaultMetrics()` with no prefix (listed from a live registry). */
export const DEFAULT_METRICS: Readonly<Record<string, MetricSpec>> = Object.fromEntries(
  [
    ['process_cpu_user_seconds_total', 'counter'],
    ['process_cpu_system_seconds_total', 'counter'],
    ['process_cpu_seconds_total', 'counter'],
    ['process_start_time_seconds', 'gauge'],
    ['process_resident_memory_bytes', 'gauge'],
    ['process_virtual_memory_bytes', 'gauge'],
    ['process_heap_bytes', 'gauge'],
    ['process_open_fds', 'gauge'],
    ['process_max_fds', 'gauge'],
    ['nodejs_eventloop_lag_seconds', 'gauge'],
    ['nodejs_eventloop_lag_min_seconds', 'gauge'],
    ['nodejs_eventloop_lag_max_seconds', 'gauge'],
    ['nodejs_eventloop_lag_mean_seconds', 'gauge'],
    ['nodejs_eventloop_lag_stddev_seconds', 'gauge'],
    ['nodejs_eventloop_lag_p50_seconds', 'gauge'],
    ['nodejs_eventloop_lag_p90_seconds', 'gauge'],
    ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
    ['nodejs_active_resources', 'gauge', ['type']],
    ['nodejs_active_resources_total', 'gauge'],
    ['nodejs_active_handles', 'gauge', ['type']],
    ['nodejs_active_handles_total', 'gauge'],
    ['nodejs_active_requests', 'gauge', ['type']],
    ['nodejs_active_requests_total', 'gauge'],
    ['nodejs_heap_size_total_bytes', 'gauge'],
    ['nodejs_heap_size_used_bytes', 'gauge'],
    ['nodejs_external_memory_bytes', 'gauge'],
    ['nodejs_heap_space_size_total_bytes', 'gauge', ['space']],
    ['nodejs_heap_space_size_used_bytes', 'gauge', ['space']],
    ['nodejs_heap_space_size_available_bytes', 'gauge', ['space']],
    ['nodejs_version_info', 'gauge', ['version', 'major', 'minor', 'patch']],
    ['nodejs_gc_duration_seconds', 'histogram', ['kind']],
  ].map(([name, type, labels]) => [name as string, { type: type as MetricType, labels: (labels ?? []) as string[] }]),
);

/** Series Prometheus writes itself for every target. */
export const SCRAPE_METRICS: Readonly<Record<string, MetricSpec>> = {
  up: { type: 'gauge', labels: [] },
  scrape_duration_seconds: { type: 'gauge', labels: [] },
  scrape_samples_scraped: { type: 'gauge', labels: [] },
};

/** Labels on every scraped series (target labels), beside the metric's own. */
export const TARGET_LABELS: readonly string[] = ['job', 'instance'];

/**
 * Series name → the labels a selector may match on it. A histogram is only ever
 * queried through its `_bucket` (with `le`), `_sum` and `_count` series.
 */
export function knownSeries(): Map<string, ReadonlySet<string>> {
  const series = new Map<string, ReadonlySet<string>>();
  for (const [name, spec] of Object.entries({ ...APPLICATION_METRICS, ...DEFAULT_METRICS, ...SCRAPE_METRICS })) {
    const labels = [...TARGET_LABELS, ...spec.labels];
    if (spec.type === 'histogram') {
      series.set(`${name}_bucket`, new Set([...labels, 'le']));
      series.set(`${name}_sum`, new Set(labels));
      series.set(`${name}_count`, new Set(labels));
    } else {
      series.set(name, new Set(labels));
    }
  }
  return series;
}
