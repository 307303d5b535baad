// Child processes of one benchmark run: the seed CLI, the API server and, with
// PROJECTOR=worker, projector workers. Every wait here is bounded in time, and every
// child is tracked so that `stopAll()` can end it whatever happened before.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The only host load is ever sent to. */
export const LOOPBACK = '127.0.0.1';

const children = new Set();

/** A port the kernel just handed out on the loopback interface (closed again at once). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <args>` with its stdout and stderr appended to `logFile`. Resolves with a
 * handle once spawned; `exited` settles when the process ends.
 */
export function startNode({ name, args, env, cwd, logFile, nodeArgs = [] }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const handle = {
    name,
    child,
    pid: child.pid,
    logFile,
    exitCode: null,
    exitSignal: null,
    exited: null,
  };
  handle.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      handle.exitCode = code;
      handle.exitSignal = signal;
      children.delete(handle);
      // Let the pipes drain before the log stream is closed.
      setImmediate(() => log.end());
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      handle.exitCode = -1;
      children.delete(handle);
      log.end(`\n[bench] could not start ${name}: ${error.message}\n`);
      resolve({ code: -1, signal: null });
    });
  });
  children.add(handle);
  return handle;
}

export const isRunning = (handle) => handle.exitCode === null && handle.exitSignal === null;

/** Waits for a child to end by itself, at most `timeoutMs`; kills it after that. */
export async function waitForExit(handle, timeoutMs) {
  const outcome = await Promise.race([handle.exited, sleep(timeoutMs).then(() => 'timeout')]);
  if (outcome !== 'timeout') return outcome;
  await stop(handle, 5_000);
  throw new Error(`${handle.name} did not finish within ${Math.round(timeoutMs / 1000)} s (see ${handle.logFile})`);
}

/** SIGTERM (graceful shutdown: the server closes its database), SIGKILL after `graceMs`. */
export async function stop(handle, graceMs = 10_000) {
  if (!isRunning(handle)) return;
  handle.child.kill('SIGTERM');
  const done = await Promise.race([handle.exited, sleep(graceMs).then(() => 'timeout')]);
  if (done === 'timeout' && isRunning(handle)) {
    handle.child.kill('SIGKILL');
    await Promise.race([handle.exited, sleep(5_000)]);
  }
}

/** Stops every child still running, the most recently started first. */
export async function stopAll() {
  for (const handle of [...children].reverse()) await stop(handle);
}

/** Polls `url` until it answers 200, the child dies, or `timeoutMs` passes. */
export async function waitUntilReady(handle, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(handle)) throw new Error(`${handle.name} exited (code ${handle.exitCode}) before it was ready; see ${handle.logFile}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${handle.name} was not ready within ${Math.round(timeoutMs / 1000)} s; see ${handle.logFile}`);
}

/** VmRSS and VmHWM (peak RSS) of a live process, in MiB, from /proc; null where unavailable. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) / 1024 : null;
    };
    return { rssMiB: kib('VmRSS'), peakRssMiB: kib('VmHWM') };
  } catch {
    return { rssMiB: null, peakRssMiB: null };
  }
}

/**
 * The last `lines` lines of a log file worth showing in an error message: pino lines
 * below warn (every request at info) are left out, anything else (warnings, errors,
 * stack traces, plain output) is kept.
 */
export function tail(file, lines = 20) {
  if (!existsSync(file)) return '';
  const quiet = /^\{"level":(10|20|30),/;
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((line) => !quiet.test(line))
    .slice(-lines)
    .join('\n');
}
