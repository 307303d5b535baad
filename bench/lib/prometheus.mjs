// The server's own statement counters, from GET /metrics (Prometheus text format). Used
// where the database cannot be asked (PGlite runs inside the server); absent counters
// give null, which the report prints as "n/a".
import { KINDS } from './statement-log.mjs';

export const STATEMENTS = 'conduit_db_statements_total';
export const SECONDS = 'conduit_db_statement_duration_seconds_sum';

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the text: `{ name, labels, value }`; comments and blank lines skipped. */
export function parseSamples(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, key, value] of (match[3] ?? '').matchAll(LABEL)) labels[key] = value;
    const value = Number(match[4]);
    if (Number.isFinite(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** A label value naming transaction control (BEGIN, COMMIT, …) puts a series under that kind. */
function kindOfLabels(labels) {
  for (const value of Object.values(labels)) {
    const v = value.toLowerCase();
    if (v === 'begin' || v === 'commit' || v === 'rollback') return v;
    if (v === 'savepoint' || v === 'release') return 'savepoint';
  }
  return 'statement';
}

/** Statement counts and seconds per kind; null when the server exports no statement counter. */
export function statementCounters(text) {
  const samples = parseSamples(text);
  if (!samples.some((s) => s.name === STATEMENTS)) return null;
  const count = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const ms = Object.fromEntries(KINDS.map((k) => [k, 0]));
  let hasSeconds = false;
  for (const s of samples) {
    if (s.name === STATEMENTS) count[kindOfLabels(s.labels)] += s.value;
    if (s.name === SECONDS) {
      hasSeconds = true;
      ms[kindOfLabels(s.labels)] += s.value * 1000;
    }
  }
  return { count, ms: hasSeconds ? ms : null };
}

/** Scrapes `${base}/metrics`; null when there is no such endpoint or counter. */
export async function scrapeStatementCounters(base) {
  try {
    const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    return response.ok ? statementCounters(text) : null;
  } catch {
    return null;
  }
}
