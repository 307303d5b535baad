import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable } from '../../deploy/stack/paths.js';
import { freePort, waitFor } from '../../deploy/stack/probes.js';
import { runId } from './support/endpoints.js';
import { startStack, type StartedStack } from './support/run-stack.js';

/**
 * `npm run stack -- --prometheus`: the stack's own Prometheus scrapes every replica
 * (conduit-api) and the METRICS_PORT of every worker, relay and notifier (conduit-worker,
 * conduit-relay, conduit-notifier), with the repository's rules loaded. Skipped only when prometheus is not installed (Debian package prometheus).
 */
const prometheus = findExecutable('prometheus');

interface Target {
  readonly labels: Record<string, string>;
  readonly health: string;
  readonly scrapeUrl: string;
}

const json = async <T>(url: string): Promise<T> => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: T }).data;
};

describe.skipIf(prometheus === undefined)('npm run stack -- --prometheus', () => {
  const started: StartedStack[] = [];
  afterEach(async () => {
    for (const stack of started.splice(0)) {
      if (stack.child.exitCode === null && stack.child.signalCode === null) stack.child.kill('SIGTERM');
      await stack.exited;
    }
  });

  it('scrapes every replica, worker, relay and notifier, one up sample per replica, with the alert rules loaded', { timeout: 300_000 }, async () => {
    const database = `conduit_stack_t${runId()}`;
    const stack = startStack(['--port', String(await freePort()), '--prometheus', '--workers', '2', '--database', database, '--drop-database']);
    started.push(stack);
    const endpoints = await stack.ready;
    const url = endpoints.prometheus ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.stdout()).toContain(`stack prometheus: ${url}\n`);
    expect(endpoints.parts.at(-1)).toMatchObject({ name: 'prometheus', role: 'monitoring', url });
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);

    const replicaTargets = endpoints.replicas.map((r) => new URL(r.url).host).sort();
    const targetsOf = (kind: string) =>
      endpoints.parts
        .filter((p) => p.name.startsWith(kind))
        .map((p) => new URL(p.url ?? '').host)
        .sort();
    const workerTargets = targetsOf('worker');
    const relayTargets = targetsOf('relay');
    const notifierTargets = targetsOf('notifier');
    expect([workerTargets.length, relayTargets.length, notifierTargets.length]).toEqual([2, 1, 1]);
    const conduitTargets = async () =>
      (await json<{ activeTargets: Target[] }>(`${url}/api/v1/targets?state=active`)).activeTargets.filter((t) =>
        ['conduit-api', 'conduit-worker', 'conduit-relay', 'conduit-notifier'].includes(t.labels.job ?? ''),
      );
    const expected = replicaTargets.length + workerTargets.length + relayTargets.length + notifierTargets.length;
    const outcome = await waitFor(async () => {
      const targets = await conduitTargets();
      return targets.length === expected && targets.every((t) => t.health === 'up');
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(outcome, JSON.stringify(await conduitTargets())).toBe('ready');
    const byJob = (job: string) =>
      conduitTargets().then((targets) => targets.filter((t) => t.labels.job === job).map((t) => t.labels.instance).sort());
    expect(await byJob('conduit-api')).toEqual(replicaTargets);
    expect(await byJob('conduit-worker')).toEqual(workerTargets);
    expect(await byJob('conduit-relay')).toEqual(relayTargets);
    expect(await byJob('conduit-notifier')).toEqual(notifierTargets);
    // The relay's own lag gauge reaches Prometheus (ConduitRelayLagging selects on it).
    const lag = await waitFor(async () => {
      const result = await json<{ result: unknown[] }>(
        `${url}/api/v1/query?query=${encodeURIComponent('conduit_relay_lag_seconds{job="conduit-relay"}')}`,
      );
      return result.result.length > 0;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(lag).toBe('ready');

    const up = await json<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
      `${url}/api/v1/query?query=${encodeURIComponent('up{job="conduit-api"}')}`,
    );
    expect(up.resultType).toBe('vector');
    expect(up.result.map((s) => s.metric.instance).sort()).toEqual(replicaTargets);
    expect(up.result.map((s) => s.value[1])).toEqual(replicaTargets.map(() => '1'));

    const rules = await json<{ groups: { name: string; file: string; rules: { type: string }[] }[] }>(`${url}/api/v1/rules`);
    expect(rules.groups.map((g) => g.name)).toContain('conduit-slo-recording');
    expect(rules.groups.every((g) => g.file.endsWith('deploy/prometheus/alerts.yml'))).toBe(true);
    expect(rules.groups.flatMap((g) => g.rules).some((r) => r.type === 'alerting')).toBe(true);

    stack.child.kill('SIGTERM');
    expect(await stack.exited).toEqual({ code: 0, signal: null });
    expect(stack.stderr()).toMatch(/stack: stopped\n$/);
  });
});

describe('npm run stack -- --prometheus refusals', () => {
  it.each([
    ['prometheus cannot be found', ['--port', '1', '--prometheus'], { PROMETHEUS: '/nonexistent/prometheus' }, /PROMETHEUS=\/nonexistent\/prometheus is not an executable file.*apt-get install -y prometheus/],
    ['METRICS=off leaves nothing to scrape', ['--prometheus'], { METRICS: 'off' }, /--prometheus with METRICS=off/],
    ['STACK_PROMETHEUS=1 and METRICS=off', [], { STACK_PROMETHEUS: '1', METRICS: 'off' }, /--prometheus with METRICS=off/],
  ])('refuses, starting nothing, when %s', async (_label, args, env, message) => {
    const stack = startStack(args, env);
    expect(await stack.exited).toEqual({ code: 1, signal: null });
    expect(stack.stderr()).toMatch(message);
    expect(stack.stdout()).toBe('');
    expect(stack.stderr()).not.toContain('logs in');
  });
});
