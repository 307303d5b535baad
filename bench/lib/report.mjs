// Summaries of autocannon results, ratios to the baselines, and the printed tables.

/** The median of numbers (the mean of the middle two for an even count); null for none. */
export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What one autocannon run says, reduced to the figures the report uses. */
export function summariseRun(result) {
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
  );
  return {
    durationS: result.duration,
    requests: result.requests.total,
    // Requests written to the server, finished or not: what the database worked on.
    sent: result.requests.sent ?? result.requests.total,
    reqPerSec: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    statusCodes,
  };
}

const SQL_FIGURES = ['statements', 'begin', 'commit', 'rollback', 'savepoint', 'txControl', 'dbMs', 'txControlMs', 'xactsPerRequest'];

/** Medians over the repetitions of one scenario, and the failures summed over all of them. */
export function summariseScenario(runs) {
  const pick = (f) => median(runs.map(f));
  const sql = Object.fromEntries(SQL_FIGURES.map((key) => [key, pick((r) => r.sql?.[key] ?? null)]));
  const appFigures = runs.some((r) => r.sql?.app)
    ? Object.fromEntries(['statements', 'txControl', 'dbMs'].map((key) => [key, pick((r) => r.sql?.app?.[key] ?? null)]))
    : null;
  return {
    reqPerSec: pick((r) => r.reqPerSec),
    latencyMs: {
      p50: pick((r) => r.latencyMs.p50),
      p97_5: pick((r) => r.latencyMs.p97_5),
      p99: pick((r) => r.latencyMs.p99),
    },
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    failures: runs.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx + r.mismatches, 0),
    sql: { source: runs.find((r) => r.sql?.source)?.sql.source ?? null, ...sql },
    appMetrics: appFigures,
  };
}

/** Each baseline's figures over all its runs in a phase (it runs before and after its group). */
export function baselineFigures(results) {
  const figures = {};
  for (const name of new Set(results.filter((r) => r.group === 'baseline').map((r) => r.name))) {
    const runs = results.filter((r) => r.name === name).flatMap((r) => r.runs);
    const rates = runs.map((r) => r.reqPerSec);
    figures[name] = {
      reqPerSec: median(rates),
      p50: median(runs.map((r) => r.latencyMs.p50)),
      p99: median(runs.map((r) => r.latencyMs.p99)),
      runs: runs.length,
      spread: rates.length > 0 ? { min: Math.min(...rates), max: Math.max(...rates) } : null,
    };
  }
  return figures;
}

/** Scenario ÷ its baseline: throughput (below 1: slower than the baseline) and latency (above 1: slower). */
export function ratiosOf(summary, base) {
  if (!base) return { reqPerSec: null, p50: null, p99: null };
  const ratio = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
  return {
    reqPerSec: ratio(summary.reqPerSec, base.reqPerSec),
    p50: ratio(summary.latencyMs.p50, base.p50),
    p99: ratio(summary.latencyMs.p99, base.p99),
  };
}

const fixed = (value, digits) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));
const times = (value) =>
  value === null || value === undefined ? '—' : `${value.toFixed(value < 0.1 ? 3 : value < 10 ? 2 : 1)}×`;

/** A GitHub-flavoured Markdown table (readable in a terminal, pasteable into docs). */
export function markdownTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/**
 * One phase's rows. `xacts/req` (pg_stat_database) appears only when that was the only
 * source, i.e. when statements could not be counted.
 */
export function table(rows) {
  const xacts = rows.some((row) => row.summary.sql.xactsPerRequest !== null);
  const header = [
    'scenario', 'req/s', 'vs base', 'p50 ms', 'p99 ms', 'p50 vs base', 'errors',
    'stmts/req', 'BEGIN+COMMIT/req', 'db ms/req', 'of it BEGIN/COMMIT', ...(xacts ? ['xacts/req'] : []), 'RSS MiB',
  ];
  const body = rows.map((row) => {
    const s = row.summary;
    const txControl = s.sql.txControl === null ? 'n/a' : `${fixed(s.sql.begin, 2)}+${fixed(s.sql.commit, 2)}`;
    return [
      row.display ?? row.name,
      fixed(s.reqPerSec, 0),
      row.group === 'baseline' ? 'base' : times(row.ratio?.reqPerSec),
      fixed(s.latencyMs.p50, 0),
      fixed(s.latencyMs.p99, 0),
      row.group === 'baseline' ? 'base' : times(row.ratio?.p50),
      String(s.failures),
      fixed(s.sql.statements, 2),
      txControl,
      fixed(s.sql.dbMs, 2),
      fixed(s.sql.txControlMs, 2),
      ...(xacts ? [fixed(s.sql.xactsPerRequest, 2)] : []),
      fixed(row.memory?.rssMiB, 0),
    ];
  });
  return markdownTable(header, body);
}

/**
 * The same scenarios in two phases (growth mode): the figures of both, the throughput
 * ratio to the pass's own baseline in each (what the machine did in between cancels out),
 * and the later phase's p50 and database time as multiples of the earlier's.
 */
export function growthTable(first, second) {
  const header = ['scenario', 'req/s', 'req/s vs base', 'p50 ms', 'p99 ms', 'p50 growth', 'stmts/req', 'db ms/req', 'db ms growth'];
  const arrow = (a, b, d) => `${fixed(a, d)} → ${fixed(b, d)}`;
  const ratio = (a, b) => (a === null || b === null || a === 0 ? null : b / a);
  const body = [];
  for (const late of second.scenarios) {
    const early = first.scenarios.find((r) => r.name === late.name);
    if (!early || late.group === 'baseline') continue;
    const [a, b] = [early.summary, late.summary];
    body.push([
      late.name,
      arrow(a.reqPerSec, b.reqPerSec, 0),
      arrow(early.ratio?.reqPerSec ?? null, late.ratio?.reqPerSec ?? null, 3),
      arrow(a.latencyMs.p50, b.latencyMs.p50, 0),
      arrow(a.latencyMs.p99, b.latencyMs.p99, 0),
      times(ratio(a.latencyMs.p50, b.latencyMs.p50)),
      arrow(a.sql.statements, b.sql.statements, 2),
      arrow(a.sql.dbMs, b.sql.dbMs, 2),
      times(ratio(a.sql.dbMs, b.sql.dbMs)),
    ]);
  }
  return markdownTable(header, body);
}
