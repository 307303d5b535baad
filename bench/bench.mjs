#!/usr/bin/env node
// HTTP benchmark of the built server (see docs/performance.md):
//
//   npm run build && npm run bench                      # embedded PGlite in a fresh temp folder
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench npm run bench
//   npm run -s bench -- --repeat 1 --duration 5 --only list,article --json > result.json
//
// It seeds a database with the seed CLI (the application layer, as `npm run seed`),
// starts `node dist/src/main.js` on a free 127.0.0.1 port, logs in some seeded users,
// and runs bounded autocannon scenarios against it. Any connection error, timeout or
// non-2xx answer fails the run. The server (and any worker) is stopped and the temp
// folder removed on every exit path, Ctrl-C included.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { coreCount, startCpuMeter } from './lib/cpu.mjs';
import {
  freePort,
  isRunning,
  LOOPBACK,
  memoryOf,
  startNode,
  stopAll,
  tail,
  waitForExit,
  waitUntilReady,
} from './lib/processes.mjs';
import { median, summariseRun, summariseScenario, table } from './lib/report.mjs';
import { AUTH, READ, SCENARIOS, WRITE } from './lib/scenarios.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MAIN = join(ROOT, 'dist/src/main.js');
const SEED = join(ROOT, 'dist/src/cli/seed.js');
const WORKER = join(ROOT, 'dist/src/worker.js');
const PASSWORD = 'password123'; // what the seed CLI gives every user

const HELP = `Usage: npm run bench -- [options]   (run \`npm run build\` first)

Storage comes from the environment, as for the server: nothing set → embedded PGlite in a
fresh temp folder; DATABASE_URL → PostgreSQL (use a throw-away database: the run adds
data); MONGO_URL (with DATABASE_URL) → MongoDB read models; PROJECTOR=worker → the bench
also starts --workers projector processes.

Load:
  --duration S          seconds per measured run                      (10)
  --warmup S            unmeasured seconds before each run, 0 for none (2)
  --connections N       concurrent connections, read and write runs   (20)
  --auth-connections N  concurrent connections for login/register     (4)
  --repeat N            measured runs per scenario; medians reported   (3)
  --only a,b            scenarios or groups (read, write, auth) to run
  --skip a,b            scenarios or groups to leave out
Data:
  --users N --articles N --comments N --follows N --favorites N
                        seed sizes (100, 2000, 4000, 10 per user, 10 per user)
  --tokens N            seeded users logged in for personalised and write runs (25)
  --prefix P            seed username prefix                            (bench)
  --no-seed             reuse users already seeded with --prefix (DATABASE_URL only)
Server:
  --log-level L         server LOG_LEVEL                                (info)
  --node-args="…"       extra node flags for the server (note the =),
                        e.g. --node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --workers N           projector workers when PROJECTOR=worker         (1)
  --start-timeout S     longest wait for the server to be ready         (120)
  --seed-timeout S      longest the seeding may take                    (1800)
Output:
  --json                JSON on stdout (progress and tables go to stderr; use \`npm run -s\`
                        or \`node bench/bench.mjs\` so that npm's banner stays out of it)
  --out FILE            also write the JSON report to FILE
  --keep                keep the temp folder (logs, PGlite data) for inspection
Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`;

// ---- options ----------------------------------------------------------------------------

const { values: opts } = parseArgs({
  allowNegative: true,
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
    'auth-connections': { type: 'string', default: '4' },
    repeat: { type: 'string', default: '3' },
    only: { type: 'string' },
    skip: { type: 'string' },
    users: { type: 'string', default: '100' },
    articles: { type: 'string', default: '2000' },
    comments: { type: 'string', default: '4000' },
    follows: { type: 'string', default: '10' },
    favorites: { type: 'string', default: '10' },
    tokens: { type: 'string', default: '25' },
    prefix: { type: 'string', default: 'bench' },
    seed: { type: 'boolean', default: true },
    'log-level': { type: 'string', default: 'info' },
    'node-args': { type: 'string', default: '' },
    workers: { type: 'string', default: '1' },
    'start-timeout': { type: 'string', default: '120' },
    'seed-timeout': { type: 'string', default: '1800' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

function whole(name, { min = 0, max = 1_000_000 } = {}) {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const settings = {
  durationS: whole('duration', { min: 1, max: 600 }),
  warmupS: whole('warmup', { max: 60 }),
  connections: whole('connections', { min: 1, max: 1000 }),
  authConnections: whole('auth-connections', { min: 1, max: 100 }),
  repeat: whole('repeat', { min: 1, max: 20 }),
  seed: {
    users: whole('users', { min: 2, max: 100_000 }),
    articles: whole('articles', { min: 1, max: 1_000_000 }),
    comments: whole('comments', { max: 1_000_000 }),
    follows: whole('follows', { max: 1000 }),
    favorites: whole('favorites', { max: 1000 }),
  },
  tokens: whole('tokens', { min: 1, max: 1000 }),
  workers: whole('workers', { min: 1, max: 16 }),
  startTimeoutS: whole('start-timeout', { min: 5, max: 3600 }),
  seedTimeoutS: whole('seed-timeout', { min: 10, max: 24 * 3600 }),
  logLevel: opts['log-level'],
  nodeArgs: opts['node-args'].split(/\s+/).filter((a) => a.length > 0),
  prefix: opts.prefix,
};
if (!/^[a-z][a-z0-9]{0,15}$/.test(settings.prefix)) fail('--prefix must be 1–16 lower-case letters or digits');
if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(settings.logLevel))
  fail('--log-level must be a pino level (fatal … trace, silent)');

const selectors = (list) => (list ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
const only = selectors(opts.only);
const skip = selectors(opts.skip);
const known = new Set([READ, WRITE, AUTH, ...SCENARIOS.map((s) => s.name)]);
for (const name of [...only, ...skip]) if (!known.has(name)) fail(`unknown scenario or group "${name}"`);
const matches = (scenario, names) => names.includes(scenario.name) || names.includes(scenario.group);
const selected = SCENARIOS.filter((s) => (only.length === 0 || matches(s, only)) && !matches(s, skip));
if (selected.length === 0) fail('no scenario selected');

const env = process.env;
const storage = {
  write: env.STORAGE === 'memory' ? 'memory' : env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)',
  read: env.STORAGE === 'memory' ? 'memory' : env.MONGO_URL ? 'MongoDB' : 'SQL (same database)',
  projector: env.PROJECTOR === 'worker' ? 'worker' : 'inline',
  databaseUrl: redactUrl(env.DATABASE_URL),
  mongoUrl: redactUrl(env.MONGO_URL),
};
if (!opts.seed && !env.DATABASE_URL) fail('--no-seed needs DATABASE_URL: the embedded database starts empty');
if (storage.projector === 'worker' && !env.DATABASE_URL) fail('PROJECTOR=worker needs DATABASE_URL');

function redactUrl(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable)';
  }
}

// ---- output -----------------------------------------------------------------------------

/** Progress always goes to stderr, so that `--json > file` holds only the JSON. */
const say = (message) => process.stderr.write(`${message}\n`);
const out = (text) => (opts.json ? process.stderr : process.stdout).write(`${text}\n`);

// ---- cleanup ----------------------------------------------------------------------------

let workDir = null;
let current = null; // the autocannon instance running, if any
let cleaning = null;
let interrupted = false;
/** The report being filled, published (as far as it got) even when a scenario fails. */
let report = null;

function cleanup() {
  cleaning ??= (async () => {
    current?.stop();
    await stopAll();
    if (workDir !== null) {
      if (opts.keep) say(`bench: kept ${workDir}`);
      else rmSync(workDir, { recursive: true, force: true });
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    interrupted = true;
    say(`\nbench: ${signal}, stopping the server and cleaning up…`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---- the run ----------------------------------------------------------------------------

async function main() {
  const runStartedAt = new Date().toISOString();
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const stale = newestSource() > statSync(MAIN).mtimeMs;
  if (stale) say('bench: warning: src/ has files newer than dist/src/main.js; run `npm run build` to measure them');
  const load = loadavg();
  if (load[0] > coreCount() * 0.25)
    say(`bench: warning: load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${coreCount()} cores: figures will be noisy`);

  workDir = mkdtempSync(join(tmpdir(), 'conduit-bench-'));
  const runId = randomBytes(3).toString('hex');
  const childEnv = {
    ...env,
    HOST: LOOPBACK,
    DATA_DIR: join(workDir, 'data'),
    NODE_ENV: 'production',
    // A fresh signing secret per run, handed only to the children, never printed.
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LOG_LEVEL: settings.logLevel,
    RATE_LIMIT_PER_MINUTE: '0',
  };

  if (storage.projector === 'worker') {
    for (let i = 0; i < settings.workers; i++)
      startNode({ name: `worker ${i + 1}`, args: [WORKER], env: childEnv, cwd: ROOT, logFile: join(workDir, `worker-${i + 1}.log`) });
  }

  let seedSeconds = null;
  if (opts.seed) {
    const s = settings.seed;
    say(`bench: seeding ${s.users} users, ${s.articles} articles, ${s.comments} comments, ${s.follows} follows and ${s.favorites} favourites per user…`);
    const started = performance.now();
    const seeder = startNode({
      name: 'seed',
      args: [
        SEED,
        ...['--users', s.users, '--articles', s.articles, '--comments', s.comments].map(String),
        ...['--follows', s.follows, '--favorites', s.favorites, '--prefix', settings.prefix].map(String),
      ],
      env: { ...childEnv, LOG_LEVEL: 'warn' },
      cwd: ROOT,
      logFile: join(workDir, 'seed.log'),
    });
    const { code } = await waitForExit(seeder, settings.seedTimeoutS * 1000);
    if (code !== 0) throw new Error(`seeding failed (exit ${code}):\n${tail(seeder.logFile)}`);
    seedSeconds = Math.round(performance.now() - started) / 1000;
    say(`bench: seeded in ${seedSeconds.toFixed(1)} s`);
  }

  const port = await freePort();
  const base = `http://${LOOPBACK}:${port}`;
  const server = startNode({
    name: 'server',
    args: [MAIN],
    nodeArgs: settings.nodeArgs,
    env: { ...childEnv, PORT: String(port) },
    cwd: ROOT,
    logFile: join(workDir, 'server.log'),
  });
  const startedAt = performance.now();
  await waitUntilReady(server, `${base}/health/ready`, settings.startTimeoutS * 1000);
  const startSeconds = Math.round(performance.now() - startedAt) / 1000;
  const memoryAtStart = memoryOf(server.pid);
  say(`bench: server pid ${server.pid} ready on ${base} in ${startSeconds.toFixed(1)} s (${storage.write}, read models: ${storage.read}, projector: ${storage.projector})`);

  const fixtures = await loadFixtures(base, runId);
  say(
    `bench: ${fixtures.tokens.length} users logged in (median ${fixtures.loginMs.toFixed(0)} ms each), ` +
      `${fixtures.slugs.length} slugs of ${fixtures.articlesCount} articles, most used tag "${fixtures.popularTag}"`,
  );

  const results = [];
  report = {
    startedAt: runStartedAt,
    finishedAt: null,
    failure: null,
    machine: { cores: coreCount(), node: process.version, loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100) },
    commit: gitHead(),
    distStale: stale,
    storage,
    settings: { ...settings, only, skip },
    seedSeconds,
    serverStartSeconds: startSeconds,
    serverMemoryWhenReady: memoryAtStart,
    fixtures: {
      loggedInUsers: fixtures.tokens.length,
      loginMsMedian: fixtures.loginMs,
      slugs: fixtures.slugs.length,
      articlesCount: fixtures.articlesCount,
      popularTag: fixtures.popularTag,
    },
    scenarios: results,
  };
  for (const scenario of selected) {
    const connections = scenario.group === AUTH ? settings.authConnections : settings.connections;
    const runs = [];
    for (let round = 1; round <= settings.repeat; round++) {
      if (settings.warmupS > 0) await measure(base, scenario, { ...fixtures, round: `w${round}` }, connections, settings.warmupS);
      const load1 = loadavg()[0];
      const cpu = startCpuMeter(server.pid);
      const fromUs = monotonicUs();
      // RSS sampled 4 times a second during the run: VmHWM alone is the peak since start.
      let sampledMaxRssMiB = 0;
      const sampler = setInterval(() => {
        sampledMaxRssMiB = Math.max(sampledMaxRssMiB, memoryOf(server.pid).rssMiB ?? 0);
      }, 250);
      const run = await measure(base, scenario, { ...fixtures, round: `r${round}` }, connections, settings.durationS).finally(
        () => clearInterval(sampler),
      );
      run.cpu = cpu.end();
      run.sampledMaxRssMiB = Math.round(sampledMaxRssMiB);
      // CLOCK_MONOTONIC, the clock of V8 CPU profiles: `cpuprofile-top.mjs --from --to` cuts a profile to this run.
      run.monotonicWindowUs = { from: fromUs, to: monotonicUs() };
      run.loadAverage1m = Math.round(load1 * 100) / 100;
      runs.push(run);
      say(
        `  ${scenario.name.padEnd(16)} run ${round}/${settings.repeat}: ${run.reqPerSec.toFixed(0).padStart(6)} req/s, ` +
          `p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, server CPU ${run.cpu.serverPctOfCore ?? '?'}% of a core, ` +
          `machine ${run.cpu.machineBusyPct ?? '?'}% busy` +
          (run.failed ? `, FAILURES ${JSON.stringify(run.statusCodes)}` : ''),
      );
      if (run.failed) {
        results.push({ ...describe(scenario, connections), runs, summary: summariseScenario(runs), memory: memoryOf(server.pid) });
        throw new Error(
          `${scenario.name}: ${run.errors} errors, ${run.timeouts} timeouts, ${run.non2xx} non-2xx, ${run.mismatches} mismatches` +
            (run.firstFailure ? `; first failure: ${JSON.stringify(run.firstFailure)}` : '') +
            `\nserver log (last lines):\n${tail(server.logFile, 15)}`,
        );
      }
      if (!isRunning(server)) throw new Error(`the server exited during ${scenario.name}; see ${server.logFile}`);
    }
    results.push({ ...describe(scenario, connections), runs, summary: summariseScenario(runs), memory: memoryOf(server.pid) });
  }

  report.finishedAt = new Date().toISOString();
  publish(report);
}

/** Prints the tables and writes the JSON; also called with the scenarios done so far when a run fails. */
function publish(report) {
  const { storage, settings, scenarios: results } = report;
  const memoryAtStart = report.serverMemoryWhenReady;
  const groups = [
    ['Reads and writes', results.filter((r) => r.group !== AUTH)],
    ['Login and registration (argon2id, deliberately expensive)', results.filter((r) => r.group === AUTH)],
  ];
  out('');
  out(`${storage.write}, read models: ${storage.read}, projector: ${storage.projector}; ` +
    `${settings.connections} connections (auth: ${settings.authConnections}), ${settings.durationS} s runs, median of ${settings.repeat}`);
  out(`server RSS when ready: ${memoryAtStart.rssMiB?.toFixed(0) ?? '?'} MiB (peak so far ${memoryAtStart.peakRssMiB?.toFixed(0) ?? '?'} MiB)`);
  for (const [heading, rows] of groups) {
    if (rows.length === 0) continue;
    out(`\n${heading}\n`);
    out(table(rows));
  }
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (opts.out) writeFileSync(opts.out, text);
  if (opts.json) process.stdout.write(text);
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function describe(scenario, connections) {
  return { name: scenario.name, group: scenario.group, title: scenario.title, connections };
}

/** One bounded autocannon run of a scenario; resolves with its summary. */
function measure(base, scenario, fixtures, connections, durationS) {
  let firstFailure = null;
  const requests = scenario.requests(fixtures).map((request) => ({
    ...request,
    onResponse: (status, body) => {
      if (firstFailure === null && (status < 200 || status > 299))
        firstFailure = { status, body: String(body ?? '').slice(0, 300) };
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

/** Logs in seeded users and reads slugs, tags and the article count through the API. */
async function loadFixtures(base, runId) {
  const call = async (method, path, body, token) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Token ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };

  const userCount = opts.seed ? settings.seed.users : settings.tokens;
  const usernames = Array.from({ length: userCount }, (_, i) => `${settings.prefix}_user_${i}`);
  const logins = usernames.map((username) => ({ username, email: `${username}@example.test`, password: PASSWORD }));

  const tokens = [];
  const loginTimes = [];
  for (const login of logins.slice(0, Math.min(settings.tokens, logins.length))) {
    const started = performance.now();
    const { user } = await call('POST', '/api/users/login', { user: { email: login.email, password: login.password } });
    loginTimes.push(performance.now() - started);
    tokens.push({ username: user.username, token: user.token });
  }

  const { tags } = await call('GET', '/api/tags');
  if (tags.length === 0) throw new Error('the database has no tags: seed it with articles first');
  const { articlesCount } = await call('GET', '/api/articles?limit=1');
  // Up to 200 slugs, 40 from each of 5 places spread over the whole list.
  const slugs = new Set();
  for (let i = 0; i < 5; i++) {
    const offset = Math.floor((articlesCount * i) / 5);
    const { articles } = await call('GET', `/api/articles?limit=40&offset=${offset}`);
    for (const article of articles) slugs.add(article.slug);
  }
  return {
    runId,
    tokens,
    logins,
    usernames,
    slugs: [...slugs],
    tags,
    popularTag: tags[0],
    articlesCount,
    loginMs: median(loginTimes),
  };
}

/** mtime of the newest file under src/ (to warn about a stale build); bounded walk. */
function newestSource() {
  let newest = 0;
  const stack = [join(ROOT, 'src')];
  let visited = 0;
  while (stack.length > 0 && visited < 10_000) {
    const dir = stack.pop();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      visited++;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** The checked-out commit, read from .git without running git; null when not found. */
function gitHead() {
  try {
    const head = readFileSync(join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = join(ROOT, '.git', ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(join(ROOT, '.git/packed-refs'), 'utf8');
    return packed.split('\n').find((line) => line.endsWith(` ${ref}`))?.split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  const message = error instanceof Error ? error.message : String(error);
  if (!interrupted) say(`bench: FAILED: ${message}`);
  if (report !== null && !interrupted) {
    report.failure = message.split('\n')[0];
    report.finishedAt = new Date().toISOString();
    publish(report);
  }
} finally {
  await cleanup();
}
process.exit(exitCode);
