// SQL statements and database time per request, over one measured window.
//
// PostgreSQL: from the database, never from the application — pg_stat_statements when the
// server preloads it, else the server's statement log (statement-log.mjs), and in every
// case pg_stat_database's transaction and active-time counters. PGlite (inside the server
// process): the server's own /metrics counters, when it exports them.
//
// A window is bracketed by `settle()`: the previous window's abandoned requests (autocannon
// stops on time, with requests in flight) finish before the opening snapshot, and the
// window's own in-flight requests finish before the closing one. Figures are divided by
// the requests SENT in the window, which is what the database saw.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { scrapeStatementCounters } from './prometheus.mjs';
import { emptyTally, KINDS, kindOf, LOG_SETTINGS, locateServerLog, logSize, tallyLogRange } from './statement-log.mjs';
import { databaseOf, resetDatabaseSettings, setDatabaseSettings, withDatabase } from './postgres.mjs';

/**
 * pg_stat_database is fed by each backend's pending counters, which a backend that went
 * idle within a second of its last flush keeps for up to 10 s (PGSTAT_IDLE_INTERVAL,
 * PostgreSQL 15): only after that wait are a window's transactions all counted. The
 * wait is paid only when pg_stat_database is the only source.
 */
const STATS_FLUSH_MS = 10_500;
const SETTLE_LIMIT_MS = 15_000;

/**
 * Opens the accounting for a run. `databaseUrl` null means PGlite. `mode`: 'auto' (the
 * best source that works), 'pgss', 'log', 'stats' (pg_stat_database only: transactions,
 * no statements) or 'off' (nothing counted, nothing logged).
 */
export async function openAccounting({ databaseUrl, mode = 'auto', logPath, metricsBase }) {
  if (!databaseUrl) return metricsOnly(metricsBase);
  const dbName = databaseOf(databaseUrl);
  // The monitor sits in the maintenance database when it can, so that its own queries
  // are not in the bench database's counters.
  let monitor = await connect(withDatabase(databaseUrl, 'postgres')).catch(() => null);
  const monitorInBenchDb = monitor === null;
  monitor ??= await connect(databaseUrl);

  let source = mode === 'off' ? { name: 'none', reason: '--sql-source off' } : { name: 'pg_stat_database', reason: null };
  let pgss = null;
  let logFile = null;
  const preload = (await monitor.query(`select current_setting('shared_preload_libraries') as v`)).rows[0].v;
  if ((mode === 'auto' || mode === 'pgss') && /(^|[\s,])pg_stat_statements([\s,]|$)/.test(preload)) {
    pgss = await connect(databaseUrl);
    await pgss.query('create extension if not exists pg_stat_statements');
    source = { name: 'pg_stat_statements', reason: null };
  } else if (mode === 'pgss') {
    throw new Error('--sql-source pgss: pg_stat_statements is not in shared_preload_libraries');
  } else if (mode === 'auto' || mode === 'log') {
    const found = await locateServerLog(monitor, logPath);
    if (found.path) {
      logFile = found.path;
      source = { name: 'statement log', reason: null, file: logFile };
    } else if (mode === 'log') throw new Error(`--sql-source log: ${found.reason}`);
    else source = { name: 'pg_stat_database', reason: `statement log unusable: ${found.reason}` };
  }

  const dbStatsOnly = !logFile && !pgss && mode !== 'off';
  const benchDbSnapshot = async () => {
    if (!dbStatsOnly) return null;
    const { rows } = await monitor.query(
      `select xact_commit::bigint as commits, xact_rollback::bigint as rollbacks, active_time as active_ms
         from pg_stat_database where datname = $1`,
      [dbName],
    );
    const row = rows[0] ?? { commits: 0, rollbacks: 0, active_ms: 0 };
    return { xacts: Number(row.commits) + Number(row.rollbacks), activeMs: Number(row.active_ms) };
  };

  const pgssSnapshot = async () => {
    const { rows } = await pgss.query(
      `select queryid::text as id, query, calls::bigint as calls, total_exec_time + total_plan_time as ms
         from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where d.datname = $1 and query not like '%pg_stat_statements%'`,
      [dbName],
    );
    return new Map(rows.map((r) => [r.id, { query: r.query, calls: Number(r.calls), ms: Number(r.ms) }]));
  };

  return {
    source,
    /** Settings to put on the bench database before the server (and its sessions) start. */
    async enable() {
      if (logFile) await setDatabaseSettings(databaseUrl, LOG_SETTINGS);
    },
    async disable() {
      if (logFile) await resetDatabaseSettings(databaseUrl, Object.keys(LOG_SETTINGS));
    },
    async settle() {
      await sleep(250);
      const deadline = Date.now() + SETTLE_LIMIT_MS;
      let quiet = 0;
      while (quiet < 3 && Date.now() < deadline) {
        const { rows } = await monitor.query(
          `select count(*)::int as busy from pg_stat_activity
            where datname = $1 and backend_type = 'client backend' and state <> 'idle' and pid <> pg_backend_pid()`,
          [dbName],
        );
        quiet = rows[0].busy === 0 ? quiet + 1 : 0;
        await sleep(50);
      }
      if (dbStatsOnly) await sleep(STATS_FLUSH_MS);
    },
    async snapshot() {
      return {
        db: await benchDbSnapshot(),
        logOffset: logFile ? logSize(logFile) : null,
        pgss: pgss ? await pgssSnapshot() : null,
        app: metricsBase ? await scrapeStatementCounters(metricsBase()) : null,
      };
    },
    diff(before, after, requests) {
      const per = (value) => (value === null || requests <= 0 ? null : value / requests);
      let tally = null;
      if (before.pgss && after.pgss) tally = pgssTally(before.pgss, after.pgss);
      else if (logFile && after.logOffset >= before.logOffset) {
        tally = tallyLogRange(logFile, before.logOffset, after.logOffset, dbName);
        source.logBytesRead = (source.logBytesRead ?? 0) + (after.logOffset - before.logOffset);
      }
      // The monitor's own snapshot query counts once per window when it shares the database.
      const ownXacts = monitorInBenchDb ? 1 : 0;
      return {
        source: tally ? source.name : null,
        ...perRequest(tally, requests),
        // Transactions (autocommit statements included) and time spent executing, when nothing better is there.
        xactsPerRequest: before.db && after.db ? per(after.db.xacts - before.db.xacts - ownXacts) : null,
        dbMs: tally ? perRequest(tally, requests).dbMs : before.db && after.db ? per(after.db.activeMs - before.db.activeMs) : null,
        app: appPerRequest(before.app, after.app, requests),
      };
    },
    async close() {
      await monitor.end().catch(() => {});
      await pgss?.end().catch(() => {});
    },
  };
}

/** PGlite: only the server can count its statements. */
function metricsOnly(metricsBase) {
  return {
    source: { name: 'server /metrics', reason: null },
    async enable() {},
    async disable() {},
    async settle() {
      await sleep(500);
    },
    async snapshot() {
      return { app: metricsBase ? await scrapeStatementCounters(metricsBase()) : null };
    },
    diff(before, after, requests) {
      const app = appPerRequest(before.app, after.app, requests);
      return {
        source: app ? 'server /metrics' : null,
        ...(app ?? perRequest(null, requests)),
        xactsPerRequest: null,
        app,
      };
    },
    async close() {},
  };
}

async function connect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'conduit-bench-monitor' });
  await client.connect();
  await client.query('set log_min_duration_statement = -1');
  return client;
}

function pgssTally(before, after) {
  const tally = emptyTally();
  for (const [id, now] of after) {
    const then = before.get(id) ?? { calls: 0, ms: 0 };
    const kind = kindOf(now.query);
    tally.count[kind] += now.calls - then.calls;
    tally.ms[kind] += now.ms - then.ms;
  }
  return tally;
}

/** Per-request figures from a tally of counts and milliseconds per kind; nulls without one. */
export function perRequest(tally, requests) {
  if (!tally || requests <= 0)
    return { statements: null, begin: null, commit: null, rollback: null, savepoint: null, txControl: null, dbMs: null, txControlMs: null };
  const per = (v) => v / requests;
  const txKinds = KINDS.filter((k) => k !== 'statement');
  const sum = (obj, kinds) => kinds.reduce((s, k) => s + obj[k], 0);
  return {
    statements: per(tally.count.statement),
    begin: per(tally.count.begin),
    commit: per(tally.count.commit),
    rollback: per(tally.count.rollback),
    savepoint: per(tally.count.savepoint),
    txControl: per(sum(tally.count, txKinds)),
    dbMs: tally.ms ? per(sum(tally.ms, KINDS)) : null,
    txControlMs: tally.ms ? per(sum(tally.ms, txKinds)) : null,
  };
}

function appPerRequest(before, after, requests) {
  if (!before || !after) return null;
  const count = Object.fromEntries(KINDS.map((k) => [k, after.count[k] - before.count[k]]));
  const ms = before.ms && after.ms ? Object.fromEntries(KINDS.map((k) => [k, after.ms[k] - before.ms[k]])) : null;
  return perRequest({ count, ms }, requests);
}
