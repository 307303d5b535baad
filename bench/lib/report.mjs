// Summaries of autocannon results and the printed table.

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

/** Medians over the repetitions of one scenario, and the failures summed over all of them. */
export function summariseScenario(runs) {
  const pick = (f) => median(runs.map(f));
  return {
    reqPerSec: pick((r) => r.reqPerSec),
    latencyMs: {
      p50: pick((r) => r.latencyMs.p50),
      p97_5: pick((r) => r.latencyMs.p97_5),
      p99: pick((r) => r.latencyMs.p99),
    },
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    failures: runs.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx + r.mismatches, 0),
  };
}

const fixed = (value, digits) => (value === null || value === undefined ? '—' : value.toFixed(digits));

/** A GitHub-flavoured Markdown table (readable in a terminal, pasteable into docs). */
export function table(rows) {
  const header = ['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors/non-2xx', 'RSS MiB', 'peak RSS MiB'];
  const body = rows.map((row) => [
    row.name,
    fixed(row.summary.reqPerSec, 0),
    fixed(row.summary.latencyMs.p50, 0),
    fixed(row.summary.latencyMs.p97_5, 0),
    fixed(row.summary.latencyMs.p99, 0),
    String(row.summary.failures),
    fixed(row.memory.rssMiB, 0),
    fixed(row.memory.peakRssMiB, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
