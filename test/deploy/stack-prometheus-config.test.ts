import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable, repoRoot } from '../../deploy/stack/paths.js';
import { prometheusArgs, writePrometheusDir, type PrometheusDeployment } from '../../deploy/stack/prometheus.js';

const run = promisify(execFile);
const promtool = findExecutable('promtool');

/**
 * The configuration `npm run stack -- --prometheus` writes for its Prometheus (the running
 * Prometheus is in test/stack/prometheus.test.ts): valid for promtool with the repository's
 * rules, the job names those rules select on, static targets, storage in its own folder.
 */
describe('the stack\'s Prometheus configuration (deploy/stack/prometheus.ts)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const deployment = (): PrometheusDeployment => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-stack-prometheus-'));
    dirs.push(dir);
    return {
      dir,
      api: ['127.0.0.1:41001', '127.0.0.1:41002'],
      workers: ['127.0.0.1:41003'],
      relays: ['127.0.0.1:41005'],
      notifiers: ['127.0.0.1:41006', '127.0.0.1:41007'],
      rules: join(repoRoot(), 'deploy', 'prometheus', 'alerts.yml'),
      listen: '127.0.0.1:41004',
    };
  };

  it('names conduit-api, conduit-worker, conduit-relay and conduit-notifier with their static targets, every 2 s, with the rules', () => {
    const d = deployment();
    writePrometheusDir(d);
    const config = readFileSync(join(d.dir, 'prometheus.yml'), 'utf8');
    expect(config).toContain('  scrape_interval: 2s\n');
    expect(config).toContain(`rule_files:\n  - "${d.rules}"\n`);
    expect(config).toContain('  - job_name: conduit-api\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["127.0.0.1:41001", "127.0.0.1:41002"]\n');
    expect(config).toContain('  - job_name: conduit-worker\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["127.0.0.1:41003"]\n');
    expect(config).toContain('  - job_name: conduit-relay\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["127.0.0.1:41005"]\n');
    expect(config).toContain(
      '  - job_name: conduit-notifier\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["127.0.0.1:41006", "127.0.0.1:41007"]\n',
    );
    expect(prometheusArgs(d)).toEqual([
      `--config.file=${join(d.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(d.dir, 'data')}`,
      '--web.listen-address=127.0.0.1:41004',
      '--storage.tsdb.retention.time=1d',
    ]);
  });

  it('has no job for a kind of part the stack runs none of', () => {
    const d = { ...deployment(), workers: [], relays: [], notifiers: [] };
    writePrometheusDir(d);
    const config = readFileSync(join(d.dir, 'prometheus.yml'), 'utf8');
    expect(config).toContain('job_name: conduit-api');
    expect(config).not.toMatch(/conduit-worker|conduit-relay|conduit-notifier/);
  });

  it.skipIf(promtool === undefined)('passes `promtool check config`, rule file included (needs promtool, Debian package prometheus)', async () => {
    const d = deployment();
    writePrometheusDir(d);
    const { stdout } = await run(promtool ?? 'promtool', ['check', 'config', join(d.dir, 'prometheus.yml')]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});
