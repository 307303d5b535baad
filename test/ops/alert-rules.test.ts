import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The rule file's conventions, which promtool does not check: every alert is actionable
 * (severity, summary, description, a runbook section that exists), and every alert and
 * recording rule is covered by the promtool unit tests in both directions.
 */
const root = join(import.meta.dirname, '../..');
const testsDir = join(root, 'deploy/prometheus/tests');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
  promql_expr_test?: Array<{ expr: string }>;
}

const rules = (parse(readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> })
  .groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule) => rule.alert !== undefined);
const recordings = rules.filter((rule) => rule.record !== undefined);
const ruleTests: RuleTest[] = readdirSync(testsDir)
  .filter((file) => file.endsWith('.test.yml'))
  .flatMap((file) => (parse(readFileSync(join(testsDir, file), 'utf8')) as { tests: RuleTest[] }).tests);
const alertTests = ruleTests.flatMap((test) => test.alert_rule_test ?? []);

/** GitHub's heading anchors: lower case, spaces to hyphens, other punctuation dropped. */
const anchors = new Set(
  readFileSync(join(root, 'docs/operations.md'), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')),
);

describe('alert rules', () => {
  it('has alerts and recording rules to check', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(14);
    expect(recordings.length).toBeGreaterThanOrEqual(9);
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s is actionable: severity, summary, description, runbook', (name, alert) => {
    expect(['critical', 'warning']).toContain(alert.labels?.severity);
    expect(alert.annotations?.summary?.length ?? 0).toBeGreaterThan(10);
    expect(alert.annotations?.description?.length ?? 0).toBeGreaterThan(20);
    const runbook = alert.annotations?.runbook_url ?? '';
    expect(runbook).toBe(`docs/operations.md#${name.toLowerCase()}`);
    expect(anchors, `docs/operations.md has no "### ${name}" section`).toContain(name.toLowerCase());
  });

  it.each(alerts.map((a) => [a.alert!] as const))('%s has a promtool test where it fires and one where it stays silent', (name) => {
    const mine = alertTests.filter((test) => test.alertname === name);
    expect(mine.some((test) => (test.exp_alerts?.length ?? 0) > 0), 'no test where it fires').toBe(true);
    expect(mine.some((test) => test.exp_alerts !== undefined && test.exp_alerts.length === 0), 'no test where it is silent').toBe(true);
  });

  it.each(recordings.map((r) => [r.record!] as const))('recording rule %s is evaluated by a promtool test', (name) => {
    const evaluated = ruleTests.flatMap((test) => test.promql_expr_test ?? []).map((test) => test.expr);
    expect(evaluated.filter((expr) => expr.includes(name)).length).toBeGreaterThan(0);
  });
});
