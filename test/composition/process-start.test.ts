import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, LOOPBACK } from '../../deploy/stack/probes.js';
import { spawnServer } from '../deploy/support/replica.js';

/**
 * What a person sees when the server starts: a start-up failure they can fix is one line
 * on stderr and exit status 1 (no stack trace); the log is JSON when stdout is not a
 * terminal and human-readable when it is. Each test spawns the real entry point.
 */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('starting the server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-start-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  async function failedStart(env: NodeJS.ProcessEnv) {
    const started = spawnServer({ DATA_DIR: dataDir(), HOST: LOOPBACK, ...env });
    cleanups.push(() => void started.child.kill('SIGKILL'));
    let stderr = '';
    started.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = await started.exited;
    return { exit, stderr };
  }

  function expectOneLine(stderr: string, pattern: RegExp) {
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(stderr).not.toMatch(/^\s+at /m);
  }

  it('says in one line that the database cannot be reached, and exits 1', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { exit, stderr } = await failedStart({ DATABASE_URL: `postgresql://postgres@${LOOPBACK}:${port}/nowhere_test`, PORT: '0' });
    expect(exit).toEqual({ code: 1, signal: null });
    expectOneLine(
      stderr,
      new RegExp(`^conduit-cqrs could not start: the database cannot be reached \\(.*ECONNREFUSED ${LOOPBACK}:${port}\\): check DATABASE_URL`),
    );
  });

  it('says in one line that the port is in use, and exits 1', { timeout: 60_000 }, async () => {
    const taken: Server = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, LOOPBACK, () => resolve((taken.address() as { port: number }).port)));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const { exit, stderr } = await failedStart({ STORAGE: 'memory', PORT: String(port) });
    expect(exit).toEqual({ code: 1, signal: null });
    expectOneLine(stderr, new RegExp(`^conduit-cqrs could not start: port ${port} on ${LOOPBACK} is already in use`));
  });

  it('says in one line which setting is invalid, and exits 1', async () => {
    const { exit, stderr } = await failedStart({ PORT: 'eighty' });
    expect(exit).toEqual({ code: 1, signal: null });
    expectOneLine(stderr, /^conduit-cqrs could not start: Invalid configuration: PORT must be integer/);
  });

  it('logs JSON lines when stdout is not a terminal', { timeout: 60_000 }, async () => {
    const started = spawnServer({ DATA_DIR: dataDir(), HOST: LOOPBACK, PORT: '0', STORAGE: 'memory', LOG_FORMAT: 'auto' });
    cleanups.push(() => void started.child.kill('SIGKILL'));
    let stdout = '';
    await new Promise<void>((resolve) =>
      started.child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Server listening')) resolve();
      }),
    );
    const lines = stdout.trimEnd().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    started.child.kill('SIGINT');
    expect(await started.exited).toEqual({ code: 0, signal: null });
  });

  it.skipIf(!hasScript)('pretty-prints the log when stdout is a terminal', { timeout: 60_000 }, async () => {
    // `script` runs the server on a pseudo-terminal; the port is taken so the server stops by itself.
    const taken: Server = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, LOOPBACK, () => resolve((taken.address() as { port: number }).port)));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const command = `${process.execPath} --import tsx src/main.ts`;
    const started = spawnServer({ DATA_DIR: dataDir(), HOST: LOOPBACK, PORT: String(port), STORAGE: 'memory', LOG_FORMAT: 'auto' }, undefined, [
      'script',
      ['-qec', command, '/dev/null'],
    ]);
    let out = '';
    started.child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await started.exited;
    const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: adapters bound/m);
    expect(plain).not.toMatch(/^\{"level"/m);
  });
});
