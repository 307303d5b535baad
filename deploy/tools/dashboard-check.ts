import { readFileSync } from 'node:fs';
import { checkExpression, type Expression, type KnownSeries } from './promql-check.js';

/**
 * Checks a Grafana dashboard file: valid JSON, a Prometheus data source chosen through a
 * `datasource` variable (so the file imports into any Grafana), every panel and query
 * using that variable, unique panel ids, and every PromQL expression (panel queries and
 * `label_values(…)` variable queries) valid against the metric catalog.
 */
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: unknown;
  targets?: Array<{ expr?: unknown; datasource?: { uid?: string } }>;
  panels?: Panel[];
}

interface Dashboard {
  uid?: unknown;
  title?: unknown;
  panels?: Panel[];
  templating?: { list?: Array<{ name?: string; type?: string; query?: unknown; datasource?: { uid?: string } }> };
}

const DATASOURCE_UID = '${datasource}';
const LABEL_VALUES = /^label_values\((.+),\s*([a-zA-Z_]\w*)\s*\)$/s;

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

export interface DashboardReport {
  readonly expressions: number;
  readonly panels: number;
  readonly problems: readonly string[];
}

export function checkDashboard(path: string, known: KnownSeries): DashboardReport {
  let dashboard: Dashboard;
  try {
    dashboard = JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
  } catch (error) {
    return { expressions: 0, panels: 0, problems: [`${path}: not valid JSON (${(error as Error).message})`] };
  }
  const problems: string[] = [];
  const expressions: Expression[] = [];
  if (typeof dashboard.uid !== 'string' || typeof dashboard.title !== 'string') problems.push('dashboard has no uid or title');

  const variables = dashboard.templating?.list ?? [];
  const source = variables.find((v) => v.name === 'datasource');
  if (source?.type !== 'datasource' || source.query !== 'prometheus')
    problems.push('no "datasource" variable of type datasource for prometheus');
  for (const variable of variables.filter((v) => v.type === 'query')) {
    const where = `variable $${String(variable.name)}`;
    if (variable.datasource?.uid !== DATASOURCE_UID) problems.push(`${where}: data source is not ${DATASOURCE_UID}`);
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: unknown })?.query;
    const match = typeof query === 'string' ? LABEL_VALUES.exec(query.trim()) : null;
    if (match === null || match[1] === undefined || match[2] === undefined) {
      problems.push(`${where}: only label_values(<selector>, <label>) queries are supported, got ${JSON.stringify(query)}`);
      continue;
    }
    expressions.push({ where, expr: match[1] });
    const metric = /^[a-zA-Z_:][\w:]*/.exec(match[1].trim())?.[0];
    const labels = metric === undefined ? undefined : known.get(metric);
    if (labels !== undefined && !labels.has(match[2])) problems.push(`${where}: ${metric} has no label ${match[2]}`);
  }

  const panels = allPanels(dashboard.panels ?? []);
  const ids = new Set<number>();
  for (const panel of panels) {
    const where = `panel "${panel.title ?? '?'}"`;
    if (typeof panel.id !== 'number' || ids.has(panel.id)) problems.push(`${where}: missing or duplicate id`);
    else ids.add(panel.id);
    if (panel.gridPos === undefined) problems.push(`${where}: no gridPos`);
    if (panel.type === 'row') continue;
    if (panel.datasource?.uid !== DATASOURCE_UID) problems.push(`${where}: data source is not ${DATASOURCE_UID}`);
    const targets = panel.targets ?? [];
    if (targets.length === 0) problems.push(`${where}: no query`);
    for (const target of targets) {
      if (target.datasource !== undefined && target.datasource.uid !== DATASOURCE_UID)
        problems.push(`${where}: a query's data source is not ${DATASOURCE_UID}`);
      if (typeof target.expr !== 'string' || target.expr.trim() === '') problems.push(`${where}: a query has no expr`);
      else expressions.push({ where, expr: target.expr });
    }
  }
  for (const expression of expressions) problems.push(...checkExpression(expression, known));
  return { expressions: expressions.length, panels: panels.length, problems };
}
