// The order of a pass and the ratios to the baselines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan } from '../lib/plan.mjs';
import { baselineFigures, ratiosOf } from '../lib/report.mjs';
import { matches, SCENARIOS } from '../lib/scenarios.mjs';

const pick = (...names) => SCENARIOS.filter((s) => names.includes(s.name));

test('each group runs between two runs of its baseline; auth comes last', () => {
  const plan = buildPlan(pick('list', 'article-create', 'login', 'register'), { postgres: true, skippedBaselines: new Set() });
  assert.deepEqual(
    plan.map((e) => e.display),
    ['bare (before reads)', 'list', 'bare (after reads)', 'baseline-write (before writes)', 'article-create', 'baseline-write (after writes)', 'login', 'register'],
  );
});

test('the write baseline needs PostgreSQL; auth alone still gets its baselines', () => {
  const plan = buildPlan(pick('login', 'register'), { postgres: false, skippedBaselines: new Set() });
  assert.deepEqual(plan.map((e) => e.display), ['bare (before auth)', 'login', 'register']);
});

test('skipped baselines are not run', () => {
  const plan = buildPlan(pick('list'), { postgres: true, skippedBaselines: new Set(['bare']) });
  assert.deepEqual(plan.map((e) => e.display), ['list']);
});

test('selectors: cache marks reads only, growth the lists, feed and writes', () => {
  const names = (selector) => SCENARIOS.filter((s) => matches(s, [selector])).map((s) => s.name);
  assert.ok(names('cache').every((n) => SCENARIOS.find((s) => s.name === n).group === 'read'));
  assert.ok(names('cache').includes('list') && names('cache').includes('tags-personal'));
  assert.ok(names('growth').includes('feed') && names('growth').includes('article-create'));
  assert.ok(!names('growth').includes('tags') && !names('growth').includes('login'));
});

test('ratios use the median of every run of the baseline in the pass', () => {
  const run = (reqPerSec, p50) => ({ reqPerSec, latencyMs: { p50, p99: p50 * 3 } });
  const results = [
    { name: 'bare', group: 'baseline', runs: [run(1000, 2), run(3000, 1)] },
    { name: 'bare', group: 'baseline', runs: [run(2000, 2)] },
  ];
  const base = baselineFigures(results).bare;
  assert.equal(base.reqPerSec, 2000);
  assert.deepEqual(base.spread, { min: 1000, max: 3000 });
  const ratio = ratiosOf({ reqPerSec: 500, latencyMs: { p50: 8, p99: 30 } }, base);
  assert.equal(ratio.reqPerSec, 0.25);
  assert.equal(ratio.p50, 4);
  assert.equal(ratiosOf({ reqPerSec: 1, latencyMs: { p50: 1, p99: 1 } }, undefined).reqPerSec, null);
});
