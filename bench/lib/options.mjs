// The benchmark's command line: options, their validation, and the help text.
import { parseArgs } from 'node:util';
import { matches, SCENARIOS, SELECTORS } from './scenarios.mjs';

export const HELP = `Usage: npm run bench -- [options]   (run \`npm run build\` first)

Storage comes from the environment, as for the server: nothing set → embedded PGlite in a
fresh temp folder; DATABASE_URL → PostgreSQL (a throw-away database: the run adds data,
or --fresh-db); MONGO_URL (with DATABASE_URL) → MongoDB read models; PROJECTOR=worker →
the bench also starts --workers projector processes.

Load:
  --duration S          seconds per measured run                      (10)
  --warmup S            unmeasured seconds before each run, 0 for none (2)
  --connections N       concurrent connections, read and write runs   (20)
  --auth-connections N  concurrent connections for login/register     (4)
  --repeat N            measured runs per scenario; medians reported   (3)
  --only a,b            scenarios or selectors to run: baseline, read, write, auth,
                        cache (reads a response cache serves), growth (list, feed, writes)
  --skip a,b            scenarios or selectors to leave out
Data:
  --users N --articles N --comments N --follows N --favorites N
                        seed sizes (100, 2000, 4000, 10 per user, 10 per user)
  --tokens N            seeded users logged in for personalised and write runs (25)
  --prefix P            seed username prefix                            (bench)
  --no-seed             reuse users already seeded with --prefix (DATABASE_URL only)
  --no-vacuum           skip VACUUM (ANALYZE) after seeding (it runs by default: this
                        machine's PostgreSQL has autovacuum off, PGlite has none)
  --growth N            after the first pass, add articles up to N in total (seed CLI,
                        application layer), VACUUM ANALYZE, and measure again: the
                        default selection becomes \`growth\`                (0: off)
  --growth-seeders N    seed CLI processes at a time while growing (PostgreSQL) (2)
  --growth-timeout S    time box for growing; the phase then runs at the count reached (1200)
PostgreSQL:
  --fresh-db            create conduit_bench_<random> on DATABASE_URL's server, use it,
                        and drop it at the end (DATABASE_URL may name any database there)
  --sql-source S        statements per request from: auto (pg_stat_statements if
                        preloaded, else the server's statement log, else stats), pgss,
                        log, stats (pg_stat_database: transactions and active time only,
                        10 s settling per window), off (nothing counted)   (auto)
  --pg-log FILE         the server's stderr log file, when it cannot be found
Server:
  --log-level L         server LOG_LEVEL (also the baselines')           (info)
  --node-args="…"       extra node flags for the server and the baselines (note the =),
                        e.g. --node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --workers N           projector workers when PROJECTOR=worker         (1)
  --start-timeout S     longest wait for the server to be ready         (120)
  --seed-timeout S      longest the initial seeding may take            (1800)
Output:
  --json                JSON on stdout (progress and tables go to stderr; use \`npm run -s\`
                        or \`node bench/bench.mjs\` so that npm's banner stays out of it)
  --out FILE            also write the JSON report to FILE
  --keep                keep the temp folder (logs, PGlite data) and a --fresh-db database
Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`;

export function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

export function parseOptions(argv = process.argv.slice(2)) {
  const { values: opts } = parseArgs({
    args: argv,
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
      vacuum: { type: 'boolean', default: true },
      growth: { type: 'string', default: '0' },
      'growth-seeders': { type: 'string', default: '2' },
      'growth-timeout': { type: 'string', default: '1200' },
      'fresh-db': { type: 'boolean', default: false },
      'sql-source': { type: 'string', default: 'auto' },
      'pg-log': { type: 'string' },
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

  const whole = (name, { min = 0, max = 1_000_000 } = {}) => {
    const n = Number(opts[name]);
    if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
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
    growthTo: whole('growth', { max: 2_000_000 }),
    growthSeeders: whole('growth-seeders', { min: 1, max: 8 }),
    growthTimeoutS: whole('growth-timeout', { min: 10, max: 24 * 3600 }),
    workers: whole('workers', { min: 1, max: 16 }),
    startTimeoutS: whole('start-timeout', { min: 5, max: 3600 }),
    seedTimeoutS: whole('seed-timeout', { min: 10, max: 24 * 3600 }),
    logLevel: opts['log-level'],
    nodeArgs: opts['node-args'].split(/\s+/).filter((a) => a.length > 0),
    prefix: opts.prefix,
    vacuum: opts.vacuum,
    freshDb: opts['fresh-db'],
    sqlSource: opts['sql-source'],
    pgLog: opts['pg-log'] ?? null,
  };
  if (!/^[a-z][a-z0-9]{0,15}$/.test(settings.prefix)) fail('--prefix must be 1–16 lower-case letters or digits');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(settings.logLevel))
    fail('--log-level must be a pino level (fatal … trace, silent)');
  if (!['auto', 'pgss', 'log', 'stats', 'off'].includes(settings.sqlSource))
    fail('--sql-source must be auto, pgss, log, stats or off');
  if (settings.growthTo > 0 && settings.growthTo <= settings.seed.articles)
    fail('--growth must be larger than --articles (it is the article count of the second pass)');

  const selectors = (list) => (list ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const only = selectors(opts.only ?? (settings.growthTo > 0 ? 'growth' : ''));
  const skip = selectors(opts.skip);
  const known = new Set([...SELECTORS, ...SCENARIOS.map((s) => s.name)]);
  for (const name of [...only, ...skip]) if (!known.has(name)) fail(`unknown scenario or selector "${name}"`);
  const selected = SCENARIOS.filter((s) => s.group !== 'baseline' && (only.length === 0 || matches(s, only)) && !matches(s, skip));
  if (selected.length === 0) fail('no scenario selected');
  const skippedBaselines = new Set(SCENARIOS.filter((s) => s.group === 'baseline' && matches(s, skip)).map((s) => s.name));

  return { opts, settings, only, skip, selected, skippedBaselines };
}
