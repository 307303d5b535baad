import { parseArgs } from 'node:util';
import { checkDatabaseName } from './postgres.js';
import { StackRefusal } from './refusal.js';

export const HELP = `Usage: npm run stack -- [options]      (or: node dist/deploy/stack/stack.js [options])

Starts the production shape on this machine, without Docker: PostgreSQL (a database on
the local server, or DATABASE_URL), Redis (its own redis-server, or REDIS_URL), API
replicas and projector workers (PROJECTOR=worker), a NATS JetStream broker (its own
nats-server, or NATS_URL / AMQP_URL) with relays and notifiers, and nginx in front of the
replicas (plain HTTP, and HTTPS with a certificate made for this run). Prints
"stack ready: http://127.0.0.1:<port>/api" once every part answers, then the HTTPS URL; Ctrl-C or SIGTERM
stops everything it started. A part that exits stops the whole stack (exit status 1).

Options:
  --port N          nginx port                                  (STACK_PORT, 8080)
  --tls-port N      nginx's HTTPS port, with a self-signed certificate made for
                    this run (local use only)                   (STACK_TLS_PORT, a free port)
  --replicas N      API replicas, each on a free port           (2)
  --workers N       projector workers                           (1)
  --database NAME   database created on the local PostgreSQL    (STACK_DATABASE, conduit_stack)
  --drop-database   drop that database at stop, if this run created it
  --local-redis     use the Redis on 127.0.0.1:6379 instead of starting one
  --relays N        relays publishing the outbox to the broker  (1)
  --notifiers N     notifiers consuming it                      (1)
  --local-nats      use the NATS on 127.0.0.1:4222 instead of starting one
  --prometheus      start a Prometheus scraping the replicas and the workers, with
                    deploy/prometheus/alerts.yml loaded       (STACK_PROMETHEUS=1)
  --json            print the endpoints as one JSON line after "stack ready"  (STACK_JSON=1)
  --logs            interleave every part's log on stdout (always in <temp>/logs/<part>.log)
  --keep            keep the temp folder (logs, nginx prefix) after stopping
  --ready-timeout S seconds for every part to answer                           (STACK_READY_TIMEOUT, 180)
  -h, --help

Environment: DATABASE_URL, REDIS_URL, NATS_URL or AMQP_URL, and JWT_SECRET are used when
set (otherwise: the local database above, a redis-server and a nats-server of its own, a
generated secret shared by every process). Every other server setting (RATE_LIMIT_PER_MINUTE, MONGO_URL, LOG_LEVEL, …) is
passed to the API and worker processes unchanged.`;

export interface StackOptions {
  readonly port: number;
  /** nginx's HTTPS port; undefined: a free port. */
  readonly tlsPort: number | undefined;
  readonly replicas: number;
  readonly workers: number;
  /** Given from outside: used as is, never created or dropped. */
  readonly databaseUrl: string | undefined;
  readonly databaseName: string;
  readonly dropDatabase: boolean;
  /** Given from outside (REDIS_URL, or --local-redis): no redis-server is started. */
  readonly redisUrl: string | undefined;
  /** Given from outside (NATS_URL, AMQP_URL or --local-nats): no nats-server is started. */
  readonly brokerUrl: string | undefined;
  readonly relays: number;
  readonly notifiers: number;
  readonly json: boolean;
  /** Start the stack's own Prometheus. */
  readonly prometheus: boolean;
  readonly logs: boolean;
  readonly keep: boolean;
  readonly readyTimeoutMs: number;
  readonly jwtSecret: string | undefined;
  readonly logLevel: string;
}

/** Levels at which the info lines the stack waits for (and the request logs) are written. */
const VERBOSE_ENOUGH = ['info', 'debug', 'trace'];

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StackOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'tls-port': { type: 'string' },
        replicas: { type: 'string' },
        workers: { type: 'string' },
        database: { type: 'string' },
        'drop-database': { type: 'boolean' },
        'local-redis': { type: 'boolean' },
        relays: { type: 'string' },
        notifiers: { type: 'string' },
        'local-nats': { type: 'boolean' },
        json: { type: 'boolean' },
        prometheus: { type: 'boolean' },
        logs: { type: 'boolean' },
        keep: { type: 'boolean' },
        'ready-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new StackRefusal(`${(error as Error).message} (see --help)`);
  }
  if (values.help) return 'help';

  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!VERBOSE_ENOUGH.includes(logLevel))
    throw new StackRefusal(
      `LOG_LEVEL=${logLevel}: the stack needs info (or debug, trace): it waits for the workers' start line and its checks read request logs`,
    );
  const redisUrl = nonEmpty(env.REDIS_URL);
  if (redisUrl !== undefined && values['local-redis'])
    throw new StackRefusal('--local-redis and REDIS_URL both name a Redis: give one');
  const givenBrokers = [nonEmpty(env.NATS_URL), nonEmpty(env.AMQP_URL), values['local-nats'] ? 'nats://127.0.0.1:4222' : undefined];
  if (givenBrokers.filter((url) => url !== undefined).length > 1)
    throw new StackRefusal('NATS_URL, AMQP_URL and --local-nats each name a broker: give one');
  const jwtSecret = nonEmpty(env.JWT_SECRET);
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new StackRefusal('JWT_SECRET must be at least 32 characters');

  const port = integer('--port', values.port ?? nonEmpty(env.STACK_PORT) ?? '8080', 1, 65535);
  const tlsPortText = values['tls-port'] ?? nonEmpty(env.STACK_TLS_PORT);
  const tlsPort = tlsPortText === undefined ? undefined : integer('--tls-port', tlsPortText, 1, 65535);
  if (tlsPort === port) throw new StackRefusal(`--tls-port and --port are both ${port}: give nginx two ports`);

  const prometheus = (values.prometheus ?? false) || env.STACK_PROMETHEUS === '1';
  if (prometheus && env.METRICS === 'off') throw new StackRefusal('--prometheus with METRICS=off: the replicas and workers would serve no /metrics to scrape');

  return {
    port,
    tlsPort,
    replicas: integer('--replicas', values.replicas ?? '2', 1, 16),
    workers: integer('--workers', values.workers ?? '1', 1, 16),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    databaseName: checkDatabaseName(values.database ?? nonEmpty(env.STACK_DATABASE) ?? 'conduit_stack'),
    dropDatabase: values['drop-database'] ?? false,
    redisUrl: values['local-redis'] ? 'redis://127.0.0.1:6379' : redisUrl,
    brokerUrl: givenBrokers.find((url) => url !== undefined),
    relays: integer('--relays', values.relays ?? '1', 1, 16),
    notifiers: integer('--notifiers', values.notifiers ?? '1', 1, 16),
    json: (values.json ?? false) || env.STACK_JSON === '1',
    prometheus,
    logs: values.logs ?? false,
    keep: values.keep ?? false,
    readyTimeoutMs: 1000 * integer('--ready-timeout', values['ready-timeout'] ?? nonEmpty(env.STACK_READY_TIMEOUT) ?? '180', 5, 3600),
    jwtSecret,
    logLevel,
  };
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new StackRefusal(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);
