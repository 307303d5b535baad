import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { knownSeries } from './metric-catalog.js';

/**
 * Checks PromQL expressions with the Prometheus project's own grammar (lezer-promql):
 * each must parse, select only series of the metric catalog or of a recording rule, and
 * match only labels those series carry. Grafana's template variables are replaced by
 * neutral values first (an interval for `$__rate_interval`, a string elsewhere).
 */
export interface Expression {
  /** Where the expression lives, for the report: `alerts.yml ConduitCacheDown`. */
  readonly where: string;
  readonly expr: string;
}

export interface KnownSeries {
  /** Series name → labels a selector may match; undefined = any label (recording rules). */
  get(name: string): ReadonlySet<string> | undefined;
  has(name: string): boolean;
}

const GRAFANA_INTERVALS = /\$\{?(__rate_interval|__interval|__range)\}?/g;
const GRAFANA_VARIABLES = /\$\{[^}]+\}|\$\w+|\[\[\w+\]\]/g;

export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(GRAFANA_INTERVALS, '5m').replace(GRAFANA_VARIABLES, 'var');
}

function text(expr: string, node: { readonly from: number; readonly to: number }): string {
  return expr.slice(node.from, node.to);
}

/** Problems of one expression (empty when it is fine). */
export function checkExpression(expression: Expression, known: KnownSeries): string[] {
  const expr = withoutGrafanaVariables(expression.expr);
  const problems: string[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        problems.push(`does not parse near "${expr.slice(Math.max(0, ref.from - 10), ref.to + 10).trim()}"`);
        return false;
      }
      if (ref.name !== 'VectorSelector') return undefined;
      const selector = ref.node;
      const identifier = selector.getChild('Identifier');
      if (identifier === null) {
        problems.push(`selector without a metric name: ${text(expr, selector)}`);
        return false;
      }
      const name = text(expr, identifier);
      if (!known.has(name)) {
        problems.push(`unknown metric ${name}`);
        return false;
      }
      const labels = known.get(name);
      const matchers = selector.getChild('LabelMatchers');
      if (labels !== undefined && matchers !== null) {
        for (const matcher of matchers.getChildren('UnquotedLabelMatcher')) {
          const label = matcher.getChild('LabelName');
          if (label !== null && !labels.has(text(expr, label)))
            problems.push(`${name} has no label ${text(expr, label)} (it has ${[...labels].join(', ')})`);
        }
      }
      return false;
    },
  });
  return [...new Set(problems)].map((problem) => `${expression.where}: ${problem}`);
}

interface RuleFile {
  groups?: Array<{ name?: string; rules?: Array<{ record?: string; alert?: string; expr?: string }> }>;
}

/** Every expression of a Prometheus rule file, and the series its recording rules define. */
export function readRuleFile(path: string, label = path): { expressions: Expression[]; recorded: string[] } {
  const content = parseYaml(readFileSync(path, 'utf8')) as RuleFile;
  const expressions: Expression[] = [];
  const recorded: string[] = [];
  for (const group of content.groups ?? []) {
    for (const rule of group.rules ?? []) {
      if (rule.record !== undefined) recorded.push(rule.record);
      if (typeof rule.expr === 'string')
        expressions.push({ where: `${label} ${rule.alert ?? rule.record ?? '?'}`, expr: rule.expr });
    }
  }
  return { expressions, recorded };
}

/** The catalog's series plus the given recording rules (whose labels are not checked). */
export function knownSeriesWith(recorded: readonly string[]): KnownSeries {
  const catalog = knownSeries();
  const rules = new Set(recorded);
  return {
    has: (name) => catalog.has(name) || rules.has(name),
    get: (name) => catalog.get(name),
  };
}
