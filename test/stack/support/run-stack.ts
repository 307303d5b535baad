import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEndpoints } from '../../../deploy/stack/endpoints.js';
import { repoRoot } from '../../../deploy/stack/paths.js';

const STACK = join(repoRoot(), 'dist', 'deploy', 'stack', 'stack.js');

/** A `node dist/deploy/stack/stack.js` started by a test, its output kept. */
export interface StartedStack {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the endpoints once it printed them, or rejects with its output if it exited first. */
  readonly ready: Promise<StackEndpoints>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startStack(args: readonly string[], env: NodeJS.ProcessEnv = {}): StartedStack {
  if (!existsSync(STACK)) throw new Error(`${STACK} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [STACK, '--json', ...args], {
    cwd: repoRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<StackEndpoints>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const json = out.split('\n').find((line) => line.startsWith('{'));
      if (json !== undefined && out.includes('stack ready: ')) resolve(JSON.parse(json) as StackEndpoints);
    });
    void exited.then(({ code, signal }) => reject(new Error(`the stack exited (${code ?? signal}) before it was ready:\n${err}`)));
  });
  // A test that fails before awaiting `ready` must not leave an unhandled rejection behind.
  ready.catch(() => undefined);
  return { child, stdout: () => out, stderr: () => err, ready, exited };
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
