import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable, isExecutable } from './paths.js';
import { StackRefusal } from './refusal.js';

export const PROMETHEUS_INSTALL_HINT =
  'install it as root with `apt-get install -y prometheus` (Debian package prometheus; the stack runs its own and never touches the system service), or point PROMETHEUS at a binary';

/** The prometheus binary: $PROMETHEUS, else `prometheus` on PATH (/usr/bin for the Debian package). */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROMETHEUS) {
    if (!isExecutable(env.PROMETHEUS))
      throw new StackRefusal(`PROMETHEUS=${env.PROMETHEUS} is not an executable file: ${PROMETHEUS_INSTALL_HINT}`);
    return env.PROMETHEUS;
  }
  const found = findExecutable('prometheus', env);
  if (found === undefined) throw new StackRefusal(`--prometheus: prometheus is not installed: ${PROMETHEUS_INSTALL_HINT}`);
  return found;
}

/** What the stack's Prometheus scrapes, and where it keeps its files. */
export interface PrometheusDeployment {
  /** Its own folder: the generated configuration and the TSDB. */
  readonly dir: string;
  /** `host:port` of each API replica (`/metrics` on its HTTP port). */
  readonly api: readonly string[];
  /** `host:port` of each projector worker's METRICS_PORT. */
  readonly workers: readonly string[];
  /** `host:port` of each relay's and each notifier's METRICS_PORT. */
  readonly relays: readonly string[];
  readonly notifiers: readonly string[];
  /** The repository's alerting and recording rules (deploy/prometheus/alerts.yml), by absolute path. */
  readonly rules: string;
  /** `host:port` for `--web.listen-address`. */
  readonly listen: string;
}

/**
 * The configuration for one stack run: static targets (the ports are known before any
 * part starts), the job names the rules and deploy/prometheus/prometheus.yml use
 * (conduit-api, conduit-worker, conduit-relay, conduit-notifier), a short scrape interval
 * so a fresh stack shows data within seconds. A kind of part the stack runs none of has no job.
 */
export function prometheusConfig(deployment: PrometheusDeployment): string {
  const job = (name: string, targets: readonly string[]) =>
    [
      `  - job_name: ${name}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ].join('\n');
  return [
    '# Made by `npm run stack -- --prometheus` for this run only.',
    'global:',
    '  scrape_interval: 2s',
    '  evaluation_interval: 2s',
    '  external_labels:',
    '    environment: stack',
    'rule_files:',
    `  - ${JSON.stringify(deployment.rules)}`,
    'scrape_configs:',
    job('conduit-api', deployment.api),
    ...(deployment.workers.length > 0 ? [job('conduit-worker', deployment.workers)] : []),
    ...(deployment.relays.length > 0 ? [job('conduit-relay', deployment.relays)] : []),
    ...(deployment.notifiers.length > 0 ? [job('conduit-notifier', deployment.notifiers)] : []),
    job('prometheus', [deployment.listen]),
    '',
  ].join('\n');
}

/** Writes the configuration into the deployment's folder (and makes its storage folder). */
export function writePrometheusDir(deployment: PrometheusDeployment): void {
  mkdirSync(join(deployment.dir, 'data'), { recursive: true });
  writeFileSync(join(deployment.dir, 'prometheus.yml'), prometheusConfig(deployment));
}

/** prometheus's arguments for that folder: its configuration, storage in `dir/data`, the listen address. */
export function prometheusArgs(deployment: PrometheusDeployment): string[] {
  return [
    `--config.file=${join(deployment.dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(deployment.dir, 'data')}`,
    `--web.listen-address=${deployment.listen}`,
    // Nothing to keep: the stack's data lives as long as the stack.
    '--storage.tsdb.retention.time=1d',
  ];
}
