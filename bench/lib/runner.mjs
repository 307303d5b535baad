// One scenario, measured: `--repeat` rounds of warm-up, then a measured autocannon run
// bracketed by the SQL accounting (accounting.mjs), with the target's CPU and memory.
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { startCpuMeter } from './cpu.mjs';
import { isRunning, memoryOf, tail } from './processes.mjs';
import { summariseRun, summariseScenario } from './report.mjs';

let current = null; // the autocannon instance running, if any

/** Stops the load at once (Ctrl-C, failure elsewhere). */
export const stopLoad = () => current?.stop();

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** One bounded autocannon run; resolves with its summary. */
export function measure(base, scenario, fixtures, connections, durationS) {
  let firstFailure = null;
  const requests = scenario.requests(fixtures).map((request) => ({
    ...request,
    onResponse: (status, body, context, headers) => {
      if (firstFailure === null && (status < 200 || status > 299))
        firstFailure = { status, body: String(body ?? '').slice(0, 300) };
      request.onResponse?.(status, body, context, headers);
    },
  }));
  return new Promise((resolvePromise, reject) => {
    current = autocannon(
      { url: base, connections, duration: durationS, timeout: 10, requests, title: scenario.name },
      (error, result) => {
        current = null;
        if (error) return reject(error);
        const run = summariseRun(result);
        run.failed = run.errors + run.timeouts + run.non2xx + run.mismatches > 0;
        run.firstFailure = firstFailure;
        resolvePromise(run);
      },
    );
  });
}

/**
 * Runs every round of one plan entry against `target` ({ base, handle }), pushing the
 * result to `results` as it goes (so a failure still reports what was measured).
 */
export async function runScenario({ entry, target, fixtures, settings, accounting, results, say }) {
  const { scenario } = entry;
  const connections = scenario.group === 'auth' ? settings.authConnections : settings.connections;
  const runs = [];
  const row = {
    name: scenario.name,
    display: entry.display,
    group: scenario.group,
    title: scenario.title,
    baseline: scenario.baseline ?? null,
    connections,
    runs,
    summary: null,
    memory: null,
  };
  results.push(row);
  const finish = () => {
    row.summary = summariseScenario(runs);
    row.memory = memoryOf(target.handle.pid);
  };
  for (let round = 1; round <= settings.repeat; round++) {
    if (settings.warmupS > 0) await measure(target.base, scenario, { ...fixtures, round: `w${round}` }, connections, settings.warmupS);
    await accounting.settle();
    const before = await accounting.snapshot();
    const load1 = loadavg()[0];
    const cpu = startCpuMeter(target.handle.pid);
    const fromUs = monotonicUs();
    // RSS sampled 4 times a second during the run: VmHWM alone is the peak since start.
    let sampledMaxRssMiB = 0;
    const sampler = setInterval(() => {
      sampledMaxRssMiB = Math.max(sampledMaxRssMiB, memoryOf(target.handle.pid).rssMiB ?? 0);
    }, 250);
    const run = await measure(target.base, scenario, { ...fixtures, round: `r${round}` }, connections, settings.durationS).finally(
      () => clearInterval(sampler),
    );
    run.cpu = cpu.end();
    run.sampledMaxRssMiB = Math.round(sampledMaxRssMiB);
    // CLOCK_MONOTONIC, the clock of V8 CPU profiles: `cpuprofile-top.mjs --from --to` cuts a profile to this run.
    run.monotonicWindowUs = { from: fromUs, to: monotonicUs() };
    run.loadAverage1m = Math.round(load1 * 100) / 100;
    await accounting.settle();
    run.sql = accounting.diff(before, await accounting.snapshot(), run.sent);
    runs.push(run);
    const sql = run.sql.statements === null ? '' : `, ${run.sql.statements.toFixed(1)} stmts + ${run.sql.txControl.toFixed(1)} BEGIN/COMMIT, ${run.sql.dbMs?.toFixed(2) ?? '?'} db ms per request`;
    say(
      `  ${entry.display.padEnd(26)} run ${round}/${settings.repeat}: ${run.reqPerSec.toFixed(0).padStart(6)} req/s, ` +
        `p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, CPU ${run.cpu.serverPctOfCore ?? '?'}% of a core, ` +
        `machine ${run.cpu.machineBusyPct ?? '?'}% busy${sql}` +
        (run.failed ? `, FAILURES ${JSON.stringify(run.statusCodes)}` : ''),
    );
    if (run.failed) {
      finish();
      throw new Error(
        `${scenario.name}: ${run.errors} errors, ${run.timeouts} timeouts, ${run.non2xx} non-2xx, ${run.mismatches} mismatches` +
          (run.firstFailure ? `; first failure: ${JSON.stringify(run.firstFailure)}` : '') +
          `\nserver log (last lines):\n${tail(target.handle.logFile, 15)}`,
      );
    }
    if (!isRunning(target.handle)) throw new Error(`${target.handle.name} exited during ${scenario.name}; see ${target.handle.logFile}`);
  }
  finish();
  return row;
}
