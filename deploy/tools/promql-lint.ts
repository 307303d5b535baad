import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkDashboard } from './dashboard-check.js';
import { checkExpression, knownSeriesWith, readRuleFile } from './promql-check.js';

/**
 * Every PromQL expression of the operations assets against the metric catalog: the
 * Prometheus rules (deploy/prometheus/alerts.yml) and the Grafana dashboard. promtool
 * checks the rules' syntax and behaviour; this checks that they ask for metrics and
 * labels the processes actually expose.
 *
 *   npx tsx deploy/tools/promql-lint.ts     (exit 1 on any problem; offline)
 */
export const RULES_FILE = 'deploy/prometheus/alerts.yml';
export const DASHBOARD_FILE = 'deploy/grafana/conduit-dashboard.json';

export function lintOperationsAssets(root = '.'): { checked: string[]; problems: string[] } {
  const rules = readRuleFile(resolve(root, RULES_FILE), RULES_FILE);
  const known = knownSeriesWith(rules.recorded);
  const problems = rules.expressions.flatMap((expression) => checkExpression(expression, known));
  const dashboard = checkDashboard(resolve(root, DASHBOARD_FILE), known);
  problems.push(...dashboard.problems.map((problem) => `${DASHBOARD_FILE} ${problem}`));
  return {
    checked: [
      `${RULES_FILE}: ${rules.expressions.length} expressions, ${rules.recorded.length} recording rules`,
      `${DASHBOARD_FILE}: ${dashboard.panels} panels, ${dashboard.expressions} expressions`,
    ],
    problems,
  };
}

function main(): void {
  const { checked, problems } = lintOperationsAssets();
  for (const line of checked) console.log(`promql-lint: ${line}`);
  for (const problem of problems) console.error(`  ERROR ${problem}`);
  console.log(`promql-lint: ${problems.length} problems`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
