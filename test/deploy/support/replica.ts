import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { answers200, freePort, LOOPBACK, waitFor } from '../../../deploy/stack/probes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A real API process (`src/main.ts` through tsx) on a free port, its output kept. */
export interface Replica {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (cleanup). */
  kill(): Promise<void>;
}

/**
 * Spawns `src/main.ts` (or `entry`) with `env` over a minimal environment (or `command`,
 * which runs it some other way); does not wait for it.
 */
export function spawnServer(
  env: NodeJS.ProcessEnv,
  entry = 'src/main.ts',
  command: readonly [string, readonly string[]] = [process.execPath, ['--import', 'tsx', entry]],
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(command[0], command[1], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** A replica started and ready (`/health/ready` answers 200). */
export async function startReplica(env: NodeJS.ProcessEnv): Promise<Replica> {
  const port = await freePort();
  const { child, output, exited } = spawnServer({ HOST: LOOPBACK, PORT: String(port), ...env });
  let running = true;
  void exited.then(() => (running = false));
  const url = `http://${LOOPBACK}:${port}`;
  const kill = async () => {
    if (running) child.kill('SIGKILL');
    await exited;
  };
  const outcome = await waitFor(() => answers200(`${url}/health/ready`), {
    timeoutMs: 90_000,
    intervalMs: 100,
    abort: () => (running ? undefined : 'exited'),
  });
  if (outcome !== 'ready') {
    await kill();
    throw new Error(`the replica did not become ready (${JSON.stringify(outcome)}):\n${output()}`);
  }
  return { url, port, child, output, exited, kill };
}
