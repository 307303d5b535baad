import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redact, type StackEndpoints } from './endpoints.js';
import { findNginx } from './nginx.js';
import { HELP, parseOptions, type StackOptions } from './options.js';
import { ACCESS_LOG, stackParts, type Part, type StackPlan } from './parts.js';
import { findExecutable, repoRoot } from './paths.js';
import { localDatabaseUrl } from './postgres.js';
import { freePort, LOOPBACK, portIsFree, waitFor } from './probes.js';
import { StackRefusal } from './refusal.js';
import { findPrometheus } from './prometheus.js';
import { findOpenssl, localCertificatePaths } from './tls.js';
import { Supervisor, type ExitStatus, type RunningProcess } from './supervisor.js';

/** How long a part gets to stop gracefully before SIGKILL (the API's own: SHUTDOWN_DRAIN_MS + SHUTDOWN_TIMEOUT_MS, 15 s by default). */
const STOP_GRACE_MS = 20_000;

const say = (message: string): void => void process.stderr.write(`stack: ${message}\n`);

/**
 * `npm run stack`: starts the parts stage by stage, prints `stack ready: <url>` once all
 * answer, then waits. A part that exits on its own stops the stack (status 1) rather than
 * being restarted: this runs checks and local trials, where a crash must be seen, and
 * restarting is the platform's job in production (compose `restart:`, systemd).
 */
class Stack {
  private readonly supervisor: Supervisor;
  private readonly running = new Map<string, RunningProcess>();
  private readonly prepared: Part[] = [];
  private failure: string | undefined;
  private stopping: Promise<never> | undefined;

  constructor(
    private readonly plan: StackPlan,
    private readonly parts: readonly Part[],
    private readonly options: StackOptions,
  ) {
    const width = Math.max(...parts.map((p) => p.name.length));
    this.supervisor = new Supervisor(
      join(plan.tempDir, 'logs'),
      (part, status) => this.partExited(part, status),
      options.logs ? (name, line) => void process.stdout.write(`${name.padEnd(width)} | ${line}\n`) : undefined,
    );
  }

  async start(): Promise<void> {
    const stages = [...new Set(this.parts.map((p) => p.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      const parts = this.parts.filter((p) => p.stage === stage);
      for (const part of parts) {
        await part.prepare?.();
        this.prepared.push(part);
        if (this.failure !== undefined) return;
        if (part.process) this.running.set(part.name, this.supervisor.start(part.process));
      }
      await Promise.all(parts.map((part) => this.waitReady(part)));
      if (this.failure !== undefined) return;
    }
  }

  private async waitReady(part: Part): Promise<void> {
    const running = this.running.get(part.name);
    const outcome = await waitFor(() => part.ready(running), {
      timeoutMs: this.options.readyTimeoutMs,
      abort: () => this.failure,
    });
    if (outcome === 'ready') {
      const where = part.url ? ` on ${redact(part.url)}` : '';
      say(`${part.name} ready${where}${running ? ` (pid ${running.pid}, log ${running.logFile})` : ''}`);
    } else if (outcome === 'timeout') {
      this.fail(
        `${part.name} did not answer within ${this.options.readyTimeoutMs / 1000} s${running ? withTail(running) : ''}`,
      );
    }
  }

  get failed(): string | undefined {
    return this.failure;
  }

  endpoints(): StackEndpoints {
    const replicas = this.parts
      .filter((p) => p.role === 'api' && p.url !== undefined)
      .map((p) => {
        const running = this.running.get(p.name);
        return { name: p.name, url: p.url ?? '', api: `${p.url}/api`, pid: running?.pid, log: running?.logFile ?? '' };
      });
    const nginx = `http://${LOOPBACK}:${this.plan.port}`;
    return {
      api: `${nginx}/api`,
      nginx,
      https: `https://${LOOPBACK}:${this.plan.tls.port}/api`,
      certificate: this.plan.tls.certificate,
      replicas,
      parts: this.parts.map((p) => {
        const running = this.running.get(p.name);
        return { name: p.name, role: p.role, pid: running?.pid, log: running?.logFile, url: p.url && redact(p.url) };
      }),
      database: redact(this.plan.database.url),
      redis: redact(this.plan.redis.url),
      broker: redact(this.plan.broker.url),
      logs: join(this.plan.tempDir, 'logs'),
      accessLog: join(this.plan.tempDir, 'logs', ACCESS_LOG),
      pid: process.pid,
      rateLimitPerMinute: Number(process.env.RATE_LIMIT_PER_MINUTE || 0),
      ...(this.plan.prometheus ? { prometheus: `http://${LOOPBACK}:${this.plan.prometheus.port}` } : {}),
    };
  }

  private partExited(part: RunningProcess, status: ExitStatus): void {
    const how = status.signal ? `was killed by ${status.signal}` : `exited with status ${status.code}`;
    this.fail(`${part.name} (pid ${part.pid}) ${how}${withTail(part)}`);
  }

  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    say(message);
    void this.stop(1);
  }

  /** Stops every process (last started first), undoes what was prepared, removes the temp folder, exits. */
  stop(code: number): Promise<never> {
    this.stopping ??= (async () => {
      say('stopping…');
      const groups = [...new Set(this.parts.map((p) => p.stage))]
        .sort((a, b) => a - b)
        .map((stage) => this.parts.filter((p) => p.stage === stage && p.process).map((p) => p.name));
      await this.supervisor.stopAll(STOP_GRACE_MS, groups);
      for (const part of [...this.prepared].reverse()) {
        try {
          await part.release?.();
        } catch (error) {
          say(`could not release ${part.name}: ${(error as Error).message}`);
          code = 1;
        }
      }
      if (this.options.keep) say(`kept ${this.plan.tempDir}`);
      else rmSync(this.plan.tempDir, { recursive: true, force: true });
      say(code === 0 ? 'stopped' : 'stopped after a failure');
      return exit(code);
    })();
    return this.stopping;
  }

  /** A second Ctrl-C: no more waiting. */
  forceStop(): never {
    say('killing every part now');
    this.supervisor.killAll();
    if (!this.options.keep) rmSync(this.plan.tempDir, { recursive: true, force: true });
    process.exit(1);
  }
}

function withTail(part: RunningProcess): string {
  const tail = part.tail();
  return tail === ''
    ? `; its log (${part.logFile}) is empty`
    : `; the last lines of ${part.logFile}:\n${tail.replace(/^/gm, `  ${part.name} | `)}`;
}

function exit(code: number): Promise<never> {
  return new Promise(() => process.stdout.write('', () => process.exit(code)));
}

/** Ports for the replicas and Redis: free now, distinct, and not nginx's. */
async function distinctFreePorts(count: number, taken: readonly number[]): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!taken.includes(port)) ports.add(port);
  }
  return [...ports];
}

async function plan(options: StackOptions): Promise<StackPlan> {
  const root = repoRoot();
  for (const file of ['dist/src/main.js', 'dist/src/worker.js', 'dist/src/relay.js', 'dist/src/notifier.js'])
    if (!existsSync(join(root, file))) throw new StackRefusal(`${file} is missing: run \`npm run build\` (npm run stack does it first)`);
  const nginxBinary = findNginx();
  const redisBinary = options.redisUrl === undefined ? findExecutable('redis-server') : undefined;
  if (options.redisUrl === undefined && redisBinary === undefined)
    throw new StackRefusal('redis-server is not installed: `apt-get install -y redis-server` as root, or set REDIS_URL (or --local-redis)');
  const natsBinary = options.brokerUrl === undefined ? findExecutable('nats-server') : undefined;
  if (options.brokerUrl === undefined && natsBinary === undefined)
    throw new StackRefusal('nats-server is not installed: install it (with JetStream), or set NATS_URL or AMQP_URL (or --local-nats)');
  const opensslBinary = findOpenssl();
  const prometheusBinary = options.prometheus ? findPrometheus() : undefined;
  if (!(await portIsFree(options.port)))
    throw new StackRefusal(`port ${options.port} is taken on ${LOOPBACK}: choose another with --port or STACK_PORT`);
  if (options.tlsPort !== undefined && !(await portIsFree(options.tlsPort)))
    throw new StackRefusal(`port ${options.tlsPort} is taken on ${LOOPBACK}: choose another with --tls-port or STACK_TLS_PORT`);

  const given = options.tlsPort === undefined ? [options.port] : [options.port, options.tlsPort];
  const [redisPort = 0, natsPort = 0, ...replicaPorts] = await distinctFreePorts(options.replicas + 2, given);
  const tlsPort = options.tlsPort ?? (await distinctFreePorts(1, [options.port, redisPort, natsPort, ...replicaPorts]))[0] ?? 0;
  // Prometheus's port, then the METRICS_PORT of each worker, relay and notifier: after the others, distinct from all of them.
  const [prometheusPort = 0, ...metricsPorts] = await distinctFreePorts(options.workers + options.relays + options.notifiers + 1, [
    ...given,
    redisPort,
    natsPort,
    tlsPort,
    ...replicaPorts,
  ]);
  const workerMetricsPorts = metricsPorts.slice(0, options.workers);
  const relayMetricsPorts = metricsPorts.slice(options.workers, options.workers + options.relays);
  const notifierMetricsPorts = metricsPorts.slice(options.workers + options.relays);
  const tempDir = mkdtempSync(join(tmpdir(), 'conduit-stack-'));
  const tlsDir = join(tempDir, 'tls');
  mkdirSync(join(tempDir, 'logs'));
  const external = options.databaseUrl !== undefined;
  return {
    root,
    tempDir,
    port: options.port,
    tls: { port: tlsPort, dir: tlsDir, ...localCertificatePaths(tlsDir) },
    replicaPorts,
    workers: options.workers,
    workerMetricsPorts,
    prometheus: prometheusBinary === undefined ? undefined : { binary: prometheusBinary, port: prometheusPort },
    database: {
      url: options.databaseUrl ?? localDatabaseUrl(options.databaseName),
      external,
      name: options.databaseName,
      dropAtStop: !external && options.dropDatabase,
    },
    redis: {
      url: options.redisUrl ?? `redis://${LOOPBACK}:${redisPort}`,
      external: options.redisUrl !== undefined,
      port: redisPort,
    },
    broker: {
      url: options.brokerUrl ?? `nats://${LOOPBACK}:${natsPort}`,
      external: options.brokerUrl !== undefined,
      port: natsPort,
    },
    relayMetricsPorts,
    notifierMetricsPorts,
    natsBinary,
    jwtSecret: options.jwtSecret ?? randomBytes(32).toString('hex'),
    logLevel: options.logLevel,
    nginxBinary,
    opensslBinary,
    redisBinary,
    say,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const stackPlan = await plan(options);
  say(`logs in ${join(stackPlan.tempDir, 'logs')}`);
  const stack = new Stack(stackPlan, stackParts(stackPlan), options);

  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (++signals > 1) stack.forceStop();
      say(`${signal}: stopping every part`);
      void stack.stop(0);
    });
  }
  process.on('uncaughtException', (error) => {
    say(`internal error: ${error.stack ?? error.message}`);
    void stack.stop(1);
  });

  try {
    await stack.start();
  } catch (error) {
    if (!(error instanceof StackRefusal)) say(`internal error: ${(error as Error).stack}`);
    else say(error.message);
    await stack.stop(1);
  }
  if (stack.failed !== undefined) return;
  const endpoints = stack.endpoints();
  process.stdout.write(`stack ready: ${endpoints.api}\n`);
  process.stdout.write(`stack https: ${endpoints.https} (certificate ${endpoints.certificate}: self-signed, for local use only)\n`);
  if (endpoints.prometheus !== undefined) process.stdout.write(`stack prometheus: ${endpoints.prometheus}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(endpoints)}\n`);
}

// A reader that went away (`| head`) must not bring the stack down half-stopped.
process.stdout.on('error', () => undefined);

main().catch((error: unknown) => {
  say(error instanceof StackRefusal ? error.message : `internal error: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
