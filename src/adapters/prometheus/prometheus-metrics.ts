import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheLookup, CacheMonitor } from '../../application/caching/read-through.js';
import type { EventOutbox, OutboxBacklog, OutboxEntry, OutboxSubscriber } from '../../application/read-side/event-outbox.js';
import type { ProjectionMonitor } from '../../application/read-side/projector.js';
import type { ReadYourWritesMonitor } from '../../application/shared/read-your-writes.js';
import type { UseCaseMonitor, UseCaseReport } from '../../application/shared/use-case-monitor.js';
import type { HttpTelemetry } from '../http/http-deps.js';
import type { PoolUsage, StatementObserver } from '../sql/sql-database.js';

/** The `route` label of requests no route matched (a fixed value: raw URLs would grow the series without bound). */
const UNMATCHED_ROUTE = 'unmatched';

/** A scrape counts at most this many pending (or parked) events per subscriber, so it stays cheap whatever the backlog. */
export const BACKLOG_COUNT_LIMIT = 100_000;

/** The readiness of the process, as the metrics see it: each dependency's state and the overall answer. */
export interface ReadinessReport {
  readonly dependencies: Readonly<Record<string, boolean>>;
  readonly ready: boolean;
}

const seconds = (ms: number): number => ms / 1000;

/** The `kind` label of SQL statements: the statement's first word, from a fixed set (anything else is `other`). */
const STATEMENT_KINDS: Readonly<Record<string, string>> = {
  select: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  with: 'with',
  begin: 'begin',
  start: 'begin',
  commit: 'commit',
  rollback: 'rollback',
  savepoint: 'savepoint',
  release: 'savepoint',
  vacuum: 'vacuum',
};

export const statementKind = (sql: string): string => STATEMENT_KINDS[/^\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? ''] ?? 'other';

/**
 * Every metric of one process in its own prom-client registry (the names are the contract
 * of deploy/tools/metric-catalog.ts and docs/operations.md). It implements the
 * application's monitor ports, so handlers, the projector and the cache stay free of
 * prom-client; gauges that describe state (outbox backlog, pool, readiness) are read when
 * Prometheus scrapes, once per scrape, never in the background.
 */
export class PrometheusMetrics implements UseCaseMonitor, ProjectionMonitor, ReadYourWritesMonitor, CacheMonitor {
  readonly registry = new Registry();
  /** What this scrape has read already: the three outbox gauges share one query per subscriber. */
  private scrape = new Map<string, Promise<unknown>>();

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [this.registry],
  });
  private readonly useCaseDuration = new Histogram({
    name: 'conduit_use_case_duration_seconds',
    help: 'Command and query handlers by use case, kind and outcome (ok, an error kind, or exception).',
    labelNames: ['use_case', 'kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly projectionDuration = new Histogram({
    name: 'conduit_projection_duration_seconds',
    help: 'Applying events to the read models, per event (a batch’s time shared among its events).',
    labelNames: ['event_type'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly projectionFailures = new Counter({
    name: 'conduit_projection_failures_total',
    help: 'Failed attempts to project an event (retried with backoff, parked after the last).',
    labelNames: ['event_type'],
    registers: [this.registry],
  });
  private readonly readYourWritesWait = new Histogram({
    name: 'conduit_read_your_writes_wait_seconds',
    help: 'How long writes waited for worker processes to project their own events.',
    registers: [this.registry],
  });
  private readonly readYourWritesTimeouts = new Counter({
    name: 'conduit_read_your_writes_timeouts_total',
    help: 'Writes that answered before their events were projected (READ_YOUR_WRITES_TIMEOUT_MS ran out).',
    registers: [this.registry],
  });
  private readonly cacheRequests = new Counter({
    name: 'conduit_cache_requests_total',
    help: 'Lookups of cached queries: hit, miss, or error (the cache could not answer; the read store did).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly rateLimitRejections = new Counter({
    name: 'conduit_rate_limit_rejections_total',
    help: 'Requests refused with 429: by the global rate limit, or by the login guard.',
    labelNames: ['limit'],
    registers: [this.registry],
  });

  private readonly statementsSent = new Counter({
    name: 'conduit_db_statements_total',
    help: 'SQL statements sent by kind (the first word: select, insert, update, delete, with, begin, commit, rollback, savepoint, vacuum, or other) and outcome (ok, error).',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly statementDuration = new Histogram({
    name: 'conduit_db_statement_duration_seconds',
    help: 'SQL statements by kind, from sent to answered (on the embedded database, its own work in this process).',
    labelNames: ['kind'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** The label children of the two statement metrics, by kind and outcome (looked up once, not on every statement). */
  private readonly statementSeries = new Map<string, { sent: { inc(): void }; duration: { observe(value: number): void } }>();

  private readonly busMessages = new Counter({
    name: 'conduit_bus_messages_total',
    help: 'Integration events handled by a broker consumer: applied, duplicate (already in its inbox), or failed (delivered again later).',
    labelNames: ['consumer', 'outcome'],
    registers: [this.registry],
  });
  private readonly busDeadLetters = new Counter({
    name: 'conduit_bus_dead_letters_total',
    help: 'Integration events a consumer gave up on after its last delivery: dead-lettered (`npm run dead-letters`).',
    labelNames: ['consumer'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A broker consumer handled one delivery (`outcome`: applied, duplicate, failed). */
  busHandled(consumer: string, outcome: 'applied' | 'duplicate' | 'failed'): void {
    this.busMessages.inc({ consumer, outcome });
  }

  /** A broker consumer dead-lettered one delivery. */
  busDeadLettered(consumer: string): void {
    this.busDeadLetters.inc({ consumer });
  }

  /** The Prometheus text exposition of every metric, reading the state gauges now. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    this.scrape = new Map();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The HTTP adapter's side: the request metric and the global rate limit's refusals. */
  http(servePublicly: boolean): HttpTelemetry {
    return {
      requestFinished: (method, route, statusCode, durationS) =>
        this.httpDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status_code: String(statusCode) }, durationS),
      rateLimited: () => this.rateLimitRejections.inc({ limit: 'global' }),
      ...(servePublicly && { exposition: () => this.exposition() }),
    };
  }

  finished(report: UseCaseReport): void {
    this.useCaseDuration.observe(
      { use_case: report.name, kind: report.kind, outcome: report.outcome },
      seconds(report.durationMs),
    );
    if (report.outcome === 'rate-limited')
      this.rateLimitRejections.inc({ limit: report.name === 'loginUser' ? 'login' : report.name });
  }

  projected(entries: readonly OutboxEntry[], durationMs: number): void {
    const each = seconds(durationMs) / entries.length;
    for (const entry of entries) this.projectionDuration.observe({ event_type: entry.event.type }, each);
  }

  projectionFailed(entry: OutboxEntry): void {
    this.projectionFailures.inc({ event_type: entry.event.type });
  }

  runFailed(): void {}

  readStoreRepaired(): void {}

  waited(_positions: readonly number[], waitedMs: number, projected: boolean): void {
    this.readYourWritesWait.observe(seconds(waitedMs));
    if (!projected) this.readYourWritesTimeouts.inc();
  }

  lookedUp(_query: string, result: CacheLookup): void {
    this.cacheRequests.inc({ result });
  }

  /**
   * The SQL database's observer (SqlDatabase.observe): every statement counted and timed
   * by kind, each of a transaction's included, its `begin` and `commit` or `rollback` too;
   * the pseudo-statement `transaction` around them is not a statement and is not counted.
   */
  statements(): StatementObserver {
    const record = (sql: string, durationS: number, failed: boolean) => {
      const kind = statementKind(sql);
      const key = failed ? `${kind} error` : kind;
      let series = this.statementSeries.get(key);
      if (series === undefined) {
        series = { sent: this.statementsSent.labels({ kind, outcome: failed ? 'error' : 'ok' }), duration: this.statementDuration.labels({ kind }) };
        this.statementSeries.set(key, series);
      }
      series.sent.inc();
      series.duration.observe(durationS);
    };
    return {
      statement: async (sql, work) => {
        if (sql === 'transaction') return work();
        const startedAt = performance.now();
        let failed = true;
        try {
          const result = await work();
          failed = false;
          return result;
        } finally {
          record(sql, seconds(performance.now() - startedAt), failed);
        }
      },
      ran: ({ sql, startedAt, endedAt, failed }) => record(sql, seconds(Math.max(0, endedAt - startedAt)), failed),
    };
  }

  /** The outbox gauges: each subscriber's pending and parked events and the age of its oldest pending one. */
  watchOutbox(outbox: Pick<EventOutbox, 'backlog'>, subscribers: readonly OutboxSubscriber[]): void {
    const backlogs = () =>
      this.once('outbox', async () => {
        const read = await Promise.all(subscribers.map((s) => outbox.backlog(s, BACKLOG_COUNT_LIMIT)));
        return new Map(subscribers.map((s, i) => [s, read[i]!]));
      });
    const gauge = (name: string, help: string, value: (backlog: OutboxBacklog) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['subscriber'],
        registers: [this.registry],
        async collect() {
          this.reset();
          // The outbox unreachable: no sample rather than a false one (the readiness gauges tell why).
          const read = await backlogs().catch(() => new Map<OutboxSubscriber, OutboxBacklog>());
          for (const [subscriber, backlog] of read) this.set({ subscriber }, value(backlog));
        },
      });
    gauge('conduit_outbox_pending_events', `Events not yet handled by the subscriber (counted up to ${BACKLOG_COUNT_LIMIT}).`, (b) => b.pending);
    gauge('conduit_outbox_oldest_pending_age_seconds', 'Age of the oldest event the subscriber has not handled: its lag (0 when none).', (b) =>
      b.oldestAgeMs === null ? 0 : seconds(b.oldestAgeMs),
    );
    gauge('conduit_outbox_parked_events', 'Events set aside after PROJECTOR_MAX_ATTEMPTS failures.', (b) => b.parked);
    if (subscribers.includes('relay'))
      new Gauge({
        name: 'conduit_relay_lag_seconds',
        help: 'Age of the oldest event not yet published to the broker (0 when none).',
        registers: [this.registry],
        async collect() {
          const relay = (await backlogs().catch(() => new Map<OutboxSubscriber, OutboxBacklog>())).get('relay');
          if (relay === undefined) return;
          this.set(relay.oldestAgeMs === null ? 0 : seconds(relay.oldestAgeMs));
        },
      });
  }

  /** The database pool gauge (PostgreSQL only: the embedded database has no pool). */
  watchPool(usage: () => PoolUsage | null): void {
    new Gauge({
      name: 'conduit_db_pool_connections',
      help: 'PostgreSQL connections: used, idle, and requests waiting for one.',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const now = usage();
        if (now === null) return;
        this.set({ state: 'used' }, now.used);
        this.set({ state: 'idle' }, now.idle);
        this.set({ state: 'waiting' }, now.waiting);
      },
    });
  }

  /** The readiness gauges: one per dependency the readiness probe checks, and the probe's answer. */
  watchReadiness(assess: () => Promise<ReadinessReport>): void {
    const report = () => this.once('readiness', assess);
    new Gauge({
      name: 'conduit_dependency_up',
      help: 'Per dependency of the readiness probe: 1 up, 0 down or degraded.',
      labelNames: ['dependency'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [name, up] of Object.entries((await report()).dependencies))
          this.set({ dependency: name.replaceAll('-', '_') }, up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'conduit_ready',
      help: '1 when the readiness probe would answer 200.',
      registers: [this.registry],
      async collect() {
        this.set((await report()).ready ? 1 : 0);
      },
    });
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let pending = this.scrape.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = read();
      this.scrape.set(key, pending);
    }
    return pending;
  }
}
