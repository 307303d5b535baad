// The /metrics statement counters the benchmark reads where the database cannot be asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSamples, statementCounters } from '../lib/prometheus.mjs';
import { perRequest } from '../lib/accounting.mjs';

const TEXT = `# HELP conduit_db_statements_total SQL statements sent
# TYPE conduit_db_statements_total counter
conduit_db_statements_total{kind="select"} 120
conduit_db_statements_total{kind="begin"} 10
conduit_db_statements_total{kind="commit"} 9
conduit_db_statements_total{kind="rollback"} 1
conduit_db_statement_duration_seconds_sum{kind="select"} 0.5
conduit_db_statement_duration_seconds_sum{kind="commit"} 0.02
conduit_db_statement_duration_seconds_count{kind="select"} 120
http_requests_total{route="/api/articles",method="GET"} 3e2
`;

test('parses samples with and without labels', () => {
  const samples = parseSamples('a 1\nb{x="y",z="w\\"q"} 2.5\n# comment\n\nc NaN\n');
  assert.deepEqual(samples.slice(0, 2), [
    { name: 'a', labels: {}, value: 1 },
    { name: 'b', labels: { x: 'y', z: 'w\\"q' }, value: 2.5 },
  ]);
});

test('sums statement counters, transaction control apart', () => {
  const counters = statementCounters(TEXT);
  assert.deepEqual(counters.count, { statement: 120, begin: 10, commit: 9, rollback: 1, savepoint: 0 });
  assert.ok(Math.abs(counters.ms.statement - 500) < 1e-9);
  assert.ok(Math.abs(counters.ms.commit - 20) < 1e-9);
});

test('no statement counter means no figures (n/a), not zero', () => {
  assert.equal(statementCounters('http_requests_total 5\n'), null);
  const figures = perRequest(null, 100);
  assert.equal(figures.statements, null);
  assert.equal(figures.dbMs, null);
});

test('per-request figures divide by the requests', () => {
  const figures = perRequest(statementCounters(TEXT), 10);
  assert.equal(figures.statements, 12);
  assert.equal(figures.txControl, 2);
  assert.equal(figures.begin, 1);
  assert.ok(Math.abs(figures.dbMs - 52) < 1e-9);
});
