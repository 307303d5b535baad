#!/usr/bin/env node
// HTTP benchmark of the built server (see docs/performance.md):
//
//   npm run build && npm run bench                      # embedded PGlite in a fresh temp folder
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench -- --fresh-db
//   npm run -s bench -- --repeat 1 --duration 5 --only list,article --json > result.json
//   DATABASE_URL=… npm run bench -- --fresh-db --growth 50000   # second pass at 50,000 articles
//
// It seeds a database with the seed CLI (the application layer, as `npm run seed`), runs
// VACUUM (ANALYZE), starts `node dist/src/main.js` and two baselines (a bare Fastify route;
// on PostgreSQL a hand-written insert transaction) on free 127.0.0.1 ports, logs in some
// seeded users, and runs bounded autocannon scenarios, each beside its baseline measured
// in the same pass, with the SQL statements and database time per request counted by
// PostgreSQL itself. Any connection error, timeout or non-2xx answer fails the run.
// Children, the temp folder and a --fresh-db database are removed on every exit path.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAccounting } from './lib/accounting.mjs';
import { coreCount } from './lib/cpu.mjs';
import { articlesCount, loadFixtures } from './lib/fixtures.mjs';
import { fail, parseOptions } from './lib/options.mjs';
import { buildPlan } from './lib/plan.mjs';
import * as postgres from './lib/postgres.mjs';
import { freePort, LOOPBACK, memoryOf, startNode, stop, stopAll, waitUntilReady } from './lib/processes.mjs';
import { renderReport } from './lib/render.mjs';
import { baselineFigures, ratiosOf } from './lib/report.mjs';
import { runScenario, stopLoad } from './lib/runner.mjs';
import { seedGrowth, seedInitial, vacuumPglite } from './lib/seeding.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MAIN = join(ROOT, 'dist/src/main.js');
const SEED = join(ROOT, 'dist/src/cli/seed.js');
const WORKER = join(ROOT, 'dist/src/worker.js');
const BARE = join(ROOT, 'bench/baselines/bare-server.mjs');
const WRITE_BASELINE = join(ROOT, 'bench/baselines/write-server.mjs');

const { opts, settings, only, skip, selected, skippedBaselines } = parseOptions();
const env = process.env;
const runId = randomBytes(3).toString('hex');
const freshDbName = settings.freshDb ? `conduit_bench_${runId}` : null;
if (settings.freshDb && !env.DATABASE_URL) fail('--fresh-db needs DATABASE_URL (the server to create the database on)');
if (!opts.seed && !env.DATABASE_URL) fail('--no-seed needs DATABASE_URL: the embedded database starts empty');
if (!opts.seed && settings.freshDb) fail('--no-seed and --fresh-db exclude each other: a fresh database is empty');
if (env.PROJECTOR === 'worker' && !env.DATABASE_URL) fail('PROJECTOR=worker needs DATABASE_URL');
const databaseUrl = env.DATABASE_URL ? (freshDbName ? postgres.withDatabase(env.DATABASE_URL, freshDbName) : env.DATABASE_URL) : null;
const storage = {
  write: env.STORAGE === 'memory' ? 'memory' : databaseUrl ? 'PostgreSQL' : 'PGlite (embedded)',
  read: env.STORAGE === 'memory' ? 'memory' : env.MONGO_URL ? 'MongoDB' : 'SQL (same database)',
  projector: env.PROJECTOR === 'worker' ? 'worker' : 'inline',
  databaseUrl: redactUrl(databaseUrl),
  mongoUrl: redactUrl(env.MONGO_URL),
};
const onPostgres = storage.write === 'PostgreSQL';

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

/** Progress always goes to stderr, so that `--json > file` holds only the JSON. */
const say = (message) => process.stderr.write(`${message}\n`);
const out = (text) => (opts.json ? process.stderr : process.stdout).write(`${text}\n`);

// ---- cleanup ----------------------------------------------------------------------------

let workDir = null;
let accounting = null;
let createdDb = false;
let scratchCreated = false;
let cleaning = null;
let interrupted = false;
let failed = false;
/** The report being filled, published (as far as it got) even when a scenario fails. */
let report = null;

function cleanup() {
  cleaning ??= (async () => {
    stopLoad();
    await stopAll();
    const quietly = (promise) => promise.catch((error) => say(`bench: cleanup: ${error.message}`));
    if (accounting) {
      await quietly(accounting.disable());
      await quietly(accounting.close());
    }
    if (createdDb && !opts.keep) await quietly(postgres.dropDatabase(env.DATABASE_URL, freshDbName));
    else if (createdDb) say(`bench: kept database ${freshDbName}`);
    else if (scratchCreated) await quietly(postgres.dropScratchTables(databaseUrl));
    if (workDir !== null) {
      if (opts.keep) say(`bench: kept ${workDir}`);
      else {
        if (failed) keepLogs();
        rmSync(workDir, { recursive: true, force: true });
      }
    }
  })();
  return cleaning;
}

/** After a failure the child processes' logs outlive the temp folder (not the PGlite data). */
function keepLogs() {
  const dir = join(tmpdir(), `conduit-bench-failed-${runId}`);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(workDir)) if (name.endsWith('.log')) copyFileSync(join(workDir, name), join(dir, name));
  say(`bench: the logs of the failed run are in ${dir}`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    interrupted = true;
    say(`\nbench: ${signal}, stopping the servers and cleaning up…`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---- the run ----------------------------------------------------------------------------

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const stale = newestSource() > statSync(MAIN).mtimeMs;
  if (stale) say('bench: warning: src/ has files newer than dist/src/main.js; run `npm run build` to measure them');
  const load = loadavg();
  if (load[0] > coreCount() * 0.25)
    say(`bench: warning: load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${coreCount()} cores: figures will be noisy`);

  workDir = mkdtempSync(join(tmpdir(), 'conduit-bench-'));
  if (freshDbName) {
    await postgres.createDatabase(env.DATABASE_URL, freshDbName);
    createdDb = true;
    say(`bench: created database ${freshDbName} (dropped at the end${opts.keep ? ' unless --keep' : ''})`);
  }
  const childEnv = {
    ...env,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    HOST: LOOPBACK,
    DATA_DIR: join(workDir, 'data'),
    NODE_ENV: 'production',
    // A fresh signing secret per run, handed only to the children, never printed.
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LOG_LEVEL: settings.logLevel,
    RATE_LIMIT_PER_MINUTE: '0',
  };
  let appBase = null;
  accounting = await openAccounting({
    databaseUrl: onPostgres ? databaseUrl : null,
    mode: settings.sqlSource,
    logPath: settings.pgLog,
    metricsBase: () => appBase,
  });
  say(`bench: SQL accounting: ${accounting.source.name}${accounting.source.file ? ` (${accounting.source.file})` : ''}` +
    (accounting.source.reason ? ` — ${accounting.source.reason}` : ''));

  report = {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    failure: null,
    machine: { cores: coreCount(), node: process.version, loadAverageAtStart: round2(load), loadAverageAtEnd: null },
    commit: gitHead(),
    distStale: stale,
    storage,
    postgres: onPostgres ? { ...(await postgres.serverFacts(databaseUrl)), database: postgres.databaseOf(databaseUrl), fresh: createdDb } : null,
    sqlAccounting: accounting.source,
    settings: { ...settings, only, skip },
    seedSeconds: null,
    phases: [],
  };

  if (opts.seed) {
    const s = settings.seed;
    say(`bench: seeding ${s.users} users, ${s.articles} articles, ${s.comments} comments, ${s.follows} follows and ${s.favorites} favourites per user…`);
    report.seedSeconds = await seedInitial({
      seedScript: SEED, env: { ...childEnv, LOG_LEVEL: 'warn' }, cwd: ROOT, workDir, sizes: s, prefix: settings.prefix, timeoutS: settings.seedTimeoutS,
    });
    say(`bench: seeded in ${report.seedSeconds.toFixed(1)} s`);
  }
  if (onPostgres) {
    await postgres.createScratchTables(databaseUrl);
    scratchCreated = true;
  }

  const plan = buildPlan(selected, { postgres: onPostgres, skippedBaselines });
  const passes = [{ label: `${settings.seed.articles} articles` }];
  if (settings.growthTo > 0) passes.push({ label: `${settings.growthTo} articles`, growTo: settings.growthTo });
  for (const pass of passes) {
    const phase = { label: pass.label, articlesCount: null, articlesCountAtEnd: null, growth: null, vacuumSeconds: null, idle: null, baselines: null, scenarios: [] };
    report.phases.push(phase);
    if (pass.growTo) phase.growth = await grow(pass.growTo, childEnv);
    if (settings.vacuum && (opts.seed || pass.growTo)) {
      phase.vacuumSeconds = onPostgres ? await postgres.vacuumAnalyze(databaseUrl) : await vacuumPglite(join(childEnv.DATA_DIR, 'pglite'));
      say(`bench: VACUUM (ANALYZE) of the bench database after seeding: ${phase.vacuumSeconds.toFixed(1)} s ` +
        `(this machine's PostgreSQL runs with autovacuum off and PGlite has none; production has it on)`);
    } else say('bench: no VACUUM (ANALYZE) after seeding (--no-vacuum or --no-seed): the planner may lack statistics');
    await accounting.enable();
    const targets = await startTargets(childEnv, phase);
    appBase = targets.app.base;
    const fixtures = await loadFixtures(appBase, {
      runId: `${runId}${report.phases.length}`, userCount: opts.seed ? settings.seed.users : settings.tokens, tokenCount: settings.tokens, prefix: settings.prefix,
    });
    phase.articlesCount = fixtures.articlesCount;
    phase.fixtures = { loggedInUsers: fixtures.tokens.length, loginMsMedian: fixtures.loginMs, slugs: fixtures.slugs.length, ownedArticles: fixtures.owned.length, popularTag: fixtures.popularTag };
    say(`bench: pass "${pass.label}": ${fixtures.articlesCount} articles, ${fixtures.tokens.length} users logged in ` +
      `(median ${fixtures.loginMs.toFixed(0)} ms each), ${fixtures.slugs.length} slugs, most used tag "${fixtures.popularTag}"`);
    phase.idle = await idleActivity();
    for (const entry of plan) {
      await runScenario({ entry, target: targets[entry.scenario.target], fixtures, settings, accounting, results: phase.scenarios, say });
      addRatios(phase);
    }
    // The writes added articles: the next pass grows from this count.
    phase.articlesCountAtEnd = await articlesCount(appBase);
    await stopTargets(targets);
    await accounting.disable();
  }
  report.finishedAt = new Date().toISOString();
  publish(report);
}

/** Adds articles up to `target` through the seed CLI while no server runs; then counts them. */
async function grow(target, childEnv) {
  const before = onPostgres ? await postgres.countArticles(databaseUrl) : report.phases.at(-2).articlesCountAtEnd;
  const missing = Math.max(0, target - before);
  const seeders = onPostgres ? settings.growthSeeders : 1;
  say(`bench: growth: adding ${missing} articles with ${seeders} seed process(es) at a time, time box ${settings.growthTimeoutS} s…`);
  const result = await seedGrowth({
    seedScript: SEED, env: { ...childEnv, LOG_LEVEL: 'warn' }, cwd: ROOT, workDir, users: settings.seed.users,
    prefix: settings.prefix, missing, seeders, timeBoxS: settings.growthTimeoutS, say,
  });
  if (result.timedOut) say(`bench: growth: time box spent; measuring at ${before + result.added} articles instead of ${target}`);
  return { from: before, target, ...result };
}

async function startTargets(childEnv, phase) {
  const start = async (name, script, extraEnv, args = []) => {
    const port = await freePort();
    const handle = startNode({
      name, args: [script, ...args], nodeArgs: settings.nodeArgs, env: { ...childEnv, ...extraEnv, PORT: String(port) }, cwd: ROOT,
      logFile: join(workDir, `${name.replace(/\s+/g, '-')}-${report.phases.length}.log`),
    });
    const base = `http://${LOOPBACK}:${port}`;
    const startedAt = performance.now();
    await waitUntilReady(handle, `${base}/health/ready`, settings.startTimeoutS * 1000);
    return { name, base, handle, startSeconds: Math.round(performance.now() - startedAt) / 1000, memoryWhenReady: memoryOf(handle.pid) };
  };
  const targets = {};
  if (storage.projector === 'worker') {
    for (let i = 0; i < settings.workers; i++)
      startNode({ name: `worker ${i + 1}`, args: [WORKER], env: childEnv, cwd: ROOT, logFile: join(workDir, `worker-${i + 1}.log`) });
  }
  targets.app = await start('server', MAIN, {});
  targets.bare = await start('bare baseline', BARE, {});
  if (onPostgres) targets['write-baseline'] = await start('write baseline', WRITE_BASELINE, {});
  const app = targets.app;
  say(`bench: server pid ${app.handle.pid} ready on ${app.base} in ${app.startSeconds.toFixed(1)} s (${storage.write}, read models: ${storage.read}, projector: ${storage.projector}); ` +
    `baselines: bare${onPostgres ? ', write' : ''}`);
  phase.serverStartSeconds = app.startSeconds;
  phase.serverMemoryWhenReady = app.memoryWhenReady;
  return targets;
}

async function stopTargets(targets) {
  for (const target of Object.values(targets).reverse()) await stop(target.handle);
  await stopAll(); // projector workers
}

/** What the idle server does to the database on its own (background catch-up), per second. */
async function idleActivity() {
  const seconds = 3;
  await accounting.settle();
  const before = await accounting.snapshot();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const per = accounting.diff(before, await accounting.snapshot(), seconds);
  return { statementsPerSecond: per.statements, txControlPerSecond: per.txControl, dbMsPerSecond: per.dbMs, xactsPerSecond: per.xactsPerRequest };
}

function addRatios(phase) {
  phase.baselines = baselineFigures(phase.scenarios);
  for (const row of phase.scenarios) if (row.summary && row.group !== 'baseline') row.ratio = ratiosOf(row.summary, phase.baselines[row.baseline]);
}

/** Prints the tables and writes the JSON; also called with what was done so far when a run fails. */
function publish(report) {
  report.machine.loadAverageAtEnd = round2(loadavg());
  out(renderReport(report));
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (opts.out) writeFileSync(opts.out, text);
  if (opts.json) process.stdout.write(text);
}

const round2 = (values) => values.map((v) => Math.round(v * 100) / 100);

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
    let gitDir = join(ROOT, '.git');
    // A worktree's .git is a file naming the real git folder.
    if (statSync(gitDir).isFile()) gitDir = readFileSync(gitDir, 'utf8').replace(/^gitdir:\s*/, '').trim();
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const common = existsSync(join(gitDir, 'commondir')) ? resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim()) : gitDir;
    for (const dir of [gitDir, common]) if (existsSync(join(dir, ref))) return readFileSync(join(dir, ref), 'utf8').trim();
    const packed = readFileSync(join(common, 'packed-refs'), 'utf8');
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
  failed = true;
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
