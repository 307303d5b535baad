import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redact, type PartRole } from './endpoints.js';
import { nginxArgs, nginxPrefix, testNginxConfig, writeNginxPrefix } from './nginx.js';
import { prometheusArgs, writePrometheusDir, type PrometheusDeployment } from './prometheus.js';
import { dropDatabase, ensureDatabase, ensureLocalServer, externalServerAnswers } from './postgres.js';
import { answers200, LOOPBACK, redisPing, tcpAccepts } from './probes.js';
import { StackRefusal } from './refusal.js';
import { makeLocalCertificate, type LocalCertificate } from './tls.js';
import type { ProcessSpec, RunningProcess } from './supervisor.js';

/** nginx's access log, in the logs folder beside every part's output. */
export const ACCESS_LOG = 'nginx-access.log';

/** Everything the parts need, decided before any of them starts (ports included). */
export interface StackPlan {
  readonly root: string;
  readonly tempDir: string;
  /** nginx's port. */
  readonly port: number;
  /** nginx's HTTPS port, and where its certificate and key are made (deploy/stack/tls.ts). */
  readonly tls: { readonly port: number; readonly dir: string } & LocalCertificate;
  readonly replicaPorts: readonly number[];
  readonly workers: number;
  /** Each projector worker's METRICS_PORT, in worker order (its length is the number of workers). */
  readonly workerMetricsPorts: readonly number[];
  /** The stack's own Prometheus (--prometheus): its binary and port; undefined: none. */
  readonly prometheus: { readonly binary: string; readonly port: number } | undefined;
  readonly database: { readonly url: string; readonly external: boolean; readonly name: string; readonly dropAtStop: boolean };
  readonly redis: { readonly url: string; readonly external: boolean; readonly port: number };
  /** The broker: a nats-server of the stack's own on `port`, or one given (NATS_URL, AMQP_URL). */
  readonly broker: { readonly url: string; readonly external: boolean; readonly port: number };
  /** Each relay's and each notifier's METRICS_PORT, in order (their lengths are the numbers of relays and notifiers). */
  readonly relayMetricsPorts: readonly number[];
  readonly notifierMetricsPorts: readonly number[];
  readonly natsBinary: string | undefined;
  readonly jwtSecret: string;
  readonly logLevel: string;
  readonly nginxBinary: string;
  readonly opensslBinary: string;
  readonly redisBinary: string | undefined;
  readonly say: (message: string) => void;
}

/**
 * One part of the stack. Stages start in order: every part of a stage is ready before
 * the next stage starts; the parts of one stage start together.
 */
export interface Part {
  readonly name: string;
  readonly role: PartRole;
  readonly stage: number;
  /** Done before the process starts (or instead of one); throws StackRefusal to stop the start. */
  readonly prepare?: () => Promise<void>;
  /** The process to run; a part without one (a database on a server) is only prepared. */
  readonly process?: ProcessSpec;
  /** Polled until true: the part answers. */
  readonly ready: (running: RunningProcess | undefined) => Promise<boolean>;
  /** Undoes `prepare` at stop. */
  readonly release?: () => Promise<void>;
  /** The part's own URL, for the endpoints. */
  readonly url?: string;
}

/**
 * The production shape, one entry per kind of part. To add a process (a relay, a
 * notifier), add an entry like `projectorWorker`: its command, its stage (2: after the
 * first replica has migrated the database) and what "ready" means for it; give it its
 * own port through the plan if it listens (METRICS_PORT).
 */
export function stackParts(plan: StackPlan): Part[] {
  return [
    plan.database.external ? externalDatabase(plan) : localDatabase(plan),
    plan.redis.external ? externalRedis(plan) : redisServer(plan),
    plan.broker.external ? externalBroker(plan) : natsServer(plan),
    // The first replica applies the migrations; the others and the workers wait for it,
    // so two processes never migrate a fresh database at the same moment.
    ...plan.replicaPorts.map((port, i) => apiReplica(plan, i + 1, port, i === 0 ? 1 : 2)),
    ...plan.workerMetricsPorts.map((port, i) => projectorWorker(plan, i + 1, port)),
    ...plan.relayMetricsPorts.map((port, i) => integrationService(plan, 'relay', i + 1, port)),
    ...plan.notifierMetricsPorts.map((port, i) => integrationService(plan, 'notifier', i + 1, port)),
    loadBalancer(plan),
    ...(plan.prometheus ? [prometheusServer(plan, plan.prometheus)] : []),
  ];
}

function localDatabase(plan: StackPlan): Part {
  let created = false;
  return {
    name: 'postgres',
    role: 'database',
    stage: 0,
    prepare: async () => {
      await ensureLocalServer(plan.say);
      ({ created } = await ensureDatabase(plan.database.name));
      plan.say(`${created ? 'created' : 'using the existing'} database ${plan.database.name} on the local PostgreSQL`);
    },
    ready: async () => true,
    release: async () => {
      if (!created || !plan.database.dropAtStop) return;
      await dropDatabase(plan.database.name);
      plan.say(`dropped database ${plan.database.name}`);
    },
    url: plan.database.url,
  };
}

function externalDatabase(plan: StackPlan): Part {
  return {
    name: 'postgres',
    role: 'database',
    stage: 0,
    prepare: async () => {
      if (!(await externalServerAnswers(plan.database.url)))
        throw new StackRefusal('the PostgreSQL named by DATABASE_URL does not accept connections (pg_isready)');
    },
    ready: async () => true,
    url: plan.database.url,
  };
}

function redisServer(plan: StackPlan): Part {
  const dir = join(plan.tempDir, 'redis');
  return {
    name: 'redis',
    role: 'redis',
    stage: 0,
    prepare: async () => void mkdirSync(dir, { recursive: true }),
    process: {
      name: 'redis',
      command: plan.redisBinary ?? 'redis-server',
      // A cache and rate-limit counters: nothing to persist.
      args: ['--port', String(plan.redis.port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      env: process.env,
      cwd: dir,
    },
    ready: async () => (await redisPing(plan.redis.url)) === 'ok',
    url: plan.redis.url,
  };
}

function externalRedis(plan: StackPlan): Part {
  return {
    name: 'redis',
    role: 'redis',
    stage: 0,
    prepare: async () => {
      const outcome = await redisPing(plan.redis.url);
      if (outcome !== 'ok') throw new StackRefusal(`the Redis at ${redact(plan.redis.url)} does not answer PING: ${outcome}`);
    },
    ready: async () => true,
    url: plan.redis.url,
  };
}

function natsServer(plan: StackPlan): Part {
  const dir = join(plan.tempDir, 'nats');
  return {
    name: 'nats',
    role: 'broker',
    stage: 0,
    prepare: async () => void mkdirSync(dir, { recursive: true }),
    process: {
      name: 'nats',
      command: plan.natsBinary ?? 'nats-server',
      // JetStream with its store in the temp folder: the stack's events live as long as the stack.
      args: ['-js', '-a', LOOPBACK, '-p', String(plan.broker.port), '-sd', dir],
      env: process.env,
      cwd: dir,
    },
    ready: () => tcpAccepts(LOOPBACK, plan.broker.port),
    url: plan.broker.url,
  };
}

function externalBroker(plan: StackPlan): Part {
  const url = new URL(plan.broker.url);
  const port = Number(url.port || (url.protocol === 'nats:' ? 4222 : 5672));
  return {
    name: 'broker',
    role: 'broker',
    stage: 0,
    prepare: async () => {
      if (!(await tcpAccepts(url.hostname, port)))
        throw new StackRefusal(`the broker at ${redact(plan.broker.url)} does not accept connections`);
    },
    ready: async () => true,
    url: plan.broker.url,
  };
}

/** The broker's variable for the app processes: NATS_URL or AMQP_URL, by the URL's scheme. */
const brokerEnvironment = (plan: StackPlan): NodeJS.ProcessEnv =>
  plan.broker.url.startsWith('nats:') ? { NATS_URL: plan.broker.url, AMQP_URL: '' } : { AMQP_URL: plan.broker.url, NATS_URL: '' };

/** The environment of every API and worker process: the caller's, with the stack's wiring over it. */
function appEnvironment(plan: StackPlan, name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('STACK_') && !key.startsWith('npm_')),
  );
  return {
    ...inherited,
    NODE_ENV: 'production',
    HOST: LOOPBACK,
    DATABASE_URL: plan.database.url,
    REDIS_URL: plan.redis.url,
    JWT_SECRET: plan.jwtSecret,
    PROJECTOR: 'worker',
    ...brokerEnvironment(plan),
    TRUST_PROXY: 'true',
    LOG_LEVEL: plan.logLevel,
    // Nothing is embedded with DATABASE_URL set; kept out of the checkout all the same.
    DATA_DIR: join(plan.tempDir, 'data', name),
    ...extra,
  };
}

function apiReplica(plan: StackPlan, index: number, port: number, stage: number): Part {
  const name = `api${index}`;
  const url = `http://${LOOPBACK}:${port}`;
  return {
    name,
    role: 'api',
    stage,
    process: {
      name,
      command: process.execPath,
      args: ['dist/src/main.js'],
      env: appEnvironment(plan, name, { PORT: String(port) }),
      cwd: plan.root,
    },
    ready: () => answers200(`${url}/health/ready`),
    url,
  };
}

function projectorWorker(plan: StackPlan, index: number, metricsPort: number): Part {
  const name = `worker${index}`;
  const url = `http://${LOOPBACK}:${metricsPort}`;
  return {
    name,
    role: 'worker',
    stage: 2,
    process: {
      name,
      command: process.execPath,
      args: ['dist/src/worker.js'],
      env: appEnvironment(plan, name, { METRICS_PORT: String(metricsPort) }),
      cwd: plan.root,
    },
    // Its only HTTP is /metrics on METRICS_PORT (none with METRICS=off); started means projecting, not only listening.
    ready: async (running) =>
      (running?.hasLogged(/"msg":"projector worker started"/) ?? false) && (!metricsOn() || (await answers200(`${url}/metrics`))),
    url,
  };
}

/**
 * A relay (publishes the outbox to the broker) or a notifier (consumes it), serving
 * /metrics on its METRICS_PORT; ready once it logged that it started and (metrics on) answers there.
 */
function integrationService(plan: StackPlan, service: 'relay' | 'notifier', index: number, metricsPort: number): Part {
  const name = `${service}${index}`;
  const url = `http://${LOOPBACK}:${metricsPort}`;
  return {
    name,
    role: 'worker',
    stage: 2,
    process: {
      name,
      command: process.execPath,
      args: [`dist/src/${service}.js`],
      env: appEnvironment(plan, name, { METRICS_PORT: String(metricsPort) }),
      cwd: plan.root,
    },
    ready: async (running) =>
      (running?.hasLogged(new RegExp(`"msg":"${service} started"`)) ?? false) && (!metricsOn() || (await answers200(`${url}/metrics`))),
    url,
  };
}

function loadBalancer(plan: StackPlan): Part {
  const url = `http://${LOOPBACK}:${plan.port}`;
  const prefix = nginxPrefix(join(plan.tempDir, 'nginx'));
  return {
    name: 'nginx',
    role: 'load-balancer',
    stage: 3,
    prepare: async () => {
      await makeLocalCertificate(plan.opensslBinary, plan.tls.dir);
      writeNginxPrefix(prefix, {
        listen: `${LOOPBACK}:${plan.port}`,
        upstreams: plan.replicaPorts.map((port) => `${LOOPBACK}:${port}`),
        accessLog: join(plan.tempDir, 'logs', ACCESS_LOG),
        tls: { listen: `${LOOPBACK}:${plan.tls.port}`, certificate: plan.tls.certificate, key: plan.tls.key },
      });
      await testNginxConfig(plan.nginxBinary, prefix);
    },
    process: {
      name: 'nginx',
      command: plan.nginxBinary,
      args: nginxArgs(prefix),
      env: process.env,
      cwd: plan.tempDir,
      // Graceful: requests in flight finish, then the workers and the master exit.
      stopSignal: 'SIGQUIT',
    },
    // nginx itself, then the replicas through it: least_conn sends consecutive requests
    // on an idle stack round the replicas, so as many requests as replicas reach each.
    ready: async () => {
      if (!(await answers200(`${url}/lb/health`))) return false;
      if (!(await tcpAccepts(LOOPBACK, plan.tls.port))) return false;
      for (const _ of plan.replicaPorts) if (!(await answers200(`${url}/health/ready`))) return false;
      return true;
    },
    url,
  };
}

/** METRICS=off (passed to the app processes unchanged) turns every /metrics off. */
const metricsOn = (): boolean => process.env.METRICS !== 'off';

/** The stack's own Prometheus (--prometheus), scraping the replicas, the workers, the relays and the notifiers; started last. */
function prometheusServer(plan: StackPlan, prometheus: { readonly binary: string; readonly port: number }): Part {
  const url = `http://${LOOPBACK}:${prometheus.port}`;
  const deployment: PrometheusDeployment = {
    dir: join(plan.tempDir, 'prometheus'),
    api: plan.replicaPorts.map((port) => `${LOOPBACK}:${port}`),
    workers: plan.workerMetricsPorts.map((port) => `${LOOPBACK}:${port}`),
    relays: plan.relayMetricsPorts.map((port) => `${LOOPBACK}:${port}`),
    notifiers: plan.notifierMetricsPorts.map((port) => `${LOOPBACK}:${port}`),
    rules: join(plan.root, 'deploy', 'prometheus', 'alerts.yml'),
    listen: `${LOOPBACK}:${prometheus.port}`,
  };
  return {
    name: 'prometheus',
    role: 'monitoring',
    stage: 4,
    prepare: async () => writePrometheusDir(deployment),
    process: { name: 'prometheus', command: prometheus.binary, args: prometheusArgs(deployment), env: process.env, cwd: deployment.dir },
    ready: () => answers200(`${url}/-/ready`),
    url,
  };
}
