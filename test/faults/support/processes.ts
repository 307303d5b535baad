import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { expect } from 'vitest';
import { Api, type Answer } from '../../stack/support/api.js';
import { TEST_JWT_SECRET } from '../../support/app.js';

/**
 * Real processes for the fault tests: the API (`src/main.ts`) and the projector worker
 * (`src/worker.ts`), run from source with tsx as a deployment runs them, each with the
 * settings the test names. A test can kill them (SIGKILL is kill -9), and every one still
 * running is killed when the test file ends.
 */
export type Settings = Readonly<Record<string, string>>;

/**
 * How long a process may take to start on a loaded 2-core machine: several start at once,
 * each loading the sources through tsx (seconds of CPU each).
 */
export const START_TIMEOUT_MS = 240_000;
/** A beforeAll that starts processes (and creates databases) gets this long. */
export const SETUP_TIMEOUT_MS = START_TIMEOUT_MS + 60_000;
/** Logs are kept whole up to this size; a test that loads a process for long keeps the last part. */
const OUTPUT_LIMIT = 4_000_000;

export interface ConduitProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far (JSON log lines, and any crash text). */
  output(): string;
  running(): boolean;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGKILL: kill -9) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ApiProcess extends ConduitProcess {
  readonly port: number;
  /** A client of its `/api`. */
  readonly api: Api;
  /** GET /health/ready: status and checks. */
  readiness(): Promise<{ readonly status: number; readonly state: string; readonly checks: Record<string, string> }>;
}

/**
 * A free TCP port on 127.0.0.1, bound and released for the process to bind: the kernel
 * hands out ephemeral ports in rotation, so another taking it meanwhile is unlikely.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Waits until `check` holds, polling; fails naming `what` (and the extra detail `explain` gives) after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 90_000,
  explain: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `call` and answers its result with how long it took. */
export async function timed<T>(call: () => Promise<T>): Promise<{ readonly result: T; readonly ms: number }> {
  const started = performance.now();
  const result = await call();
  return { result, ms: performance.now() - started };
}

/**
 * A checker for writes that must answer `status` within `boundMs` (the bound, not a
 * benchmark: each test explains why its bound proves "not stalled"). Answers the answer.
 */
export const boundedWrites =
  (boundMs: number) =>
  async <T>(what: string, call: () => Promise<Answer<T>>, status = 200): Promise<Answer<T>> => {
    const { result, ms } = await timed(call);
    expect(result.status, `${what}: ${JSON.stringify(result.body)}`).toBe(status);
    expect(ms, `${what} took ${Math.round(ms)} ms`).toBeLessThan(boundMs);
    return result;
  };

/** The log lines (JSON) of a process at or above pino's `error` level, and any text that is not a log line. */
export function errorLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
      } catch {
        return true;
      }
    });
}

/** The end of a process's output, for an error message. */
const tail = (started: ConduitProcess): string => started.output().slice(-20_000);

export class Processes {
  private readonly started: ConduitProcess[] = [];

  /** Starts an API on a free port and waits until it is ready. */
  async api(name: string, settings: Settings): Promise<ApiProcess> {
    const api = await this.startApi(name, settings);
    await this.ready(api);
    return api;
  }

  /** Starts an API without waiting (processes started together). */
  async startApi(name: string, settings: Settings): Promise<ApiProcess> {
    const port = await freePort();
    const started = this.spawn(name, 'src/main.ts', { ...settings, PORT: String(port), HOST: '127.0.0.1' });
    const api = new Api(`http://127.0.0.1:${port}/api`, name);
    const readiness = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { status?: string; checks?: Record<string, string> };
      return { status: response.status, state: body.status ?? '', checks: body.checks ?? {} };
    };
    return { ...started, port, api, readiness };
  }

  /** Starts a projector worker and waits until it is projecting. */
  async worker(name: string, settings: Settings): Promise<ConduitProcess> {
    const worker = this.startWorker(name, settings);
    await this.ready(worker);
    return worker;
  }

  startWorker(name: string, settings: Settings): ConduitProcess {
    return this.spawn(name, 'src/worker.ts', settings);
  }

  /** Starts a relay (`src/relay.ts`) or a notifier (`src/notifier.ts`) without waiting; `ready` waits for its start line. */
  startService(name: string, service: 'relay' | 'notifier', settings: Settings): ConduitProcess {
    return this.spawn(name, `src/${service}.ts`, settings);
  }

  /** An API is ready when /health/ready answers 200; another process once it logged that it started. */
  async ready(started: ConduitProcess | ApiProcess): Promise<void> {
    const startLines = ['"projector worker started"', '"relay started"', '"notifier started"'];
    const isReady =
      'readiness' in started
        ? () =>
            started.readiness().then(
              (r) => r.status === 200,
              () => false,
            )
        : async () => startLines.some((line) => started.output().includes(line));
    await until(
      `${started.name} to be ready`,
      async () => {
        if (!started.running()) throw new Error(`${started.name} exited before it was ready:\n${tail(started)}`);
        return isReady();
      },
      START_TIMEOUT_MS,
      () => tail(started),
    );
  }

  /** Kills every process still running (SIGKILL) and waits for them. */
  async stopAll(): Promise<void> {
    await Promise.all(this.started.filter((p) => p.running()).map((p) => p.kill('SIGKILL')));
  }

  private spawn(name: string, entry: string, settings: Settings): ConduitProcess {
    // Only PATH and HOME come from the runner: a MONGO_URL, PROJECTOR or DATABASE_URL set for
    // other tests must not leak into a process whose settings this test chooses.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      ...settings,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT / 2);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const running = () => child.exitCode === null && child.signalCode === null;
    const started: ConduitProcess = {
      name,
      child,
      output: () => output,
      running,
      exited,
      kill: async (signal = 'SIGKILL') => {
        if (!running()) return;
        child.kill(signal);
        await exited;
      },
    };
    this.started.push(started);
    return started;
  }
}
