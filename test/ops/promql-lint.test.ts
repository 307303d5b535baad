import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDashboard } from '../../deploy/tools/dashboard-check.js';
import { checkExpression, knownSeriesWith, readRuleFile, withoutGrafanaVariables } from '../../deploy/tools/promql-check.js';
import { DASHBOARD_FILE, lintOperationsAssets, RULES_FILE } from '../../deploy/tools/promql-lint.js';

const root = join(import.meta.dirname, '../..');
const known = knownSeriesWith(['job:conduit_http_errors:ratio_rate5m']);
const check = (expr: string) => checkExpression({ where: 'q', expr }, known);

const scratch = mkdtempSync(join(tmpdir(), 'conduit-dashboard-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let copies = 0;
const withRules = knownSeriesWith(readRuleFile(join(root, RULES_FILE)).recorded);

/** The shipped dashboard with one change, checked. */
function dashboardWith(change: (dashboard: any) => void): string[] {
  const dashboard = JSON.parse(readFileSync(join(root, DASHBOARD_FILE), 'utf8'));
  change(dashboard);
  const path = join(scratch, `dashboard-${++copies}.json`);
  writeFileSync(path, JSON.stringify(dashboard));
  return [...checkDashboard(path, withRules).problems];
}

describe('PromQL of the operations assets', () => {
  it('finds no problem in the shipped rules and dashboard, and checks all of their expressions', () => {
    const { checked, problems } = lintOperationsAssets(root);
    expect(problems).toEqual([]);
    expect(checked[0]).toMatch(/alerts\.yml: 2\d expressions, 9 recording rules/);
    expect(checked[1]).toMatch(/conduit-dashboard\.json: \d+ panels, [4-9]\d expressions/);
  });

  it('accepts catalog series, histogram parts, recording rules and Grafana variables', () => {
    expect(check('sum by (route) (rate(http_request_duration_seconds_count{job="conduit-api", route=~"$route"}[$__rate_interval]))')).toEqual([]);
    expect(check('histogram_quantile(0.99, sum by (le) (rate(conduit_use_case_duration_seconds_bucket{outcome!="ok", le="0.5"}[5m])))')).toEqual([]);
    expect(check('job:conduit_http_errors:ratio_rate5m > 0.0144 and on (job) up{job="conduit-api"} == 1')).toEqual([]);
    expect(withoutGrafanaVariables('rate(up{instance=~"${instance}"}[$__interval])')).toBe('rate(up{instance=~"var"}[5m])');
  });

  it('rejects unknown metrics, a histogram queried by its bare name, and selectors without a name', () => {
    expect(check('rate(http_requests_total[5m])')).toEqual(['q: unknown metric http_requests_total']);
    expect(check('http_request_duration_seconds{job="conduit-api"}')).toEqual(['q: unknown metric http_request_duration_seconds']);
    expect(check('{__name__=~"conduit_.*"}')).toEqual(['q: selector without a metric name: {__name__=~"conduit_.*"}']);
  });

  it('rejects labels the metric does not carry', () => {
    expect(check('sum(rate(http_request_duration_seconds_count{status="500"}[5m]))')).toEqual([
      'q: http_request_duration_seconds_count has no label status (it has job, instance, method, route, status_code)',
    ]);
    expect(check('conduit_outbox_parked_events{consumer="relay"}')).toHaveLength(1);
  });

  it('rejects expressions that do not parse', () => {
    expect(check('sum(rate(conduit_ready[5m])')[0]).toMatch(/^q: does not parse near/);
  });
});

describe('Grafana dashboard check', () => {
  it('rejects a file that is not JSON', () => {
    const path = join(scratch, 'not-json.json');
    writeFileSync(path, '{"panels": [');
    expect(checkDashboard(path, known).problems[0]).toMatch(/not valid JSON/);
  });

  it('rejects a panel with an unknown metric', () => {
    const problems = dashboardWith((d) => {
      d.panels.find((p: any) => p.type === 'timeseries').targets[0].expr = 'rate(conduit_requests_total[5m])';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/: unknown metric conduit_requests_total$/);
  });

  it('requires the datasource variable and its use by every panel', () => {
    const hardcoded = dashboardWith((d) => {
      d.panels.find((p: any) => p.type === 'stat').datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' };
    });
    expect(hardcoded.join('\n')).toMatch(/data source is not \$\{datasource\}/);
    const missing = dashboardWith((d) => {
      d.templating.list = d.templating.list.filter((v: any) => v.name !== 'datasource');
    });
    expect(missing).toContain('no "datasource" variable of type datasource for prometheus');
  });

  it('checks variable queries and panel ids', () => {
    const problems = dashboardWith((d) => {
      d.templating.list.find((v: any) => v.name === 'route').query.query = 'label_values(http_request_duration_seconds_count, path)';
      d.panels[2].id = d.panels[1].id;
    });
    expect(problems).toContain('variable $route: http_request_duration_seconds_count has no label path');
    expect(problems.some((p) => p.endsWith('missing or duplicate id'))).toBe(true);
  });
});
