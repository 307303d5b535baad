import { createConnection, createServer } from 'node:net';

/** The only interface the stack binds or sends to. */
export const LOOPBACK = '127.0.0.1';

/** A port the kernel just handed out on the loopback interface (closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound on the loopback interface right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, LOOPBACK, () => probe.close(() => resolve(true)));
  });
}

/** Whether something accepts TCP connections on `host:port` within `timeoutMs` (a broker's port). */
export function tcpAccepts(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** GET `url`; true only for a 200 within `timeoutMs`. */
export async function answers200(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * PING over RESP, authenticating first when the URL carries credentials. Resolves with
 * "ok" on PONG, otherwise with what the server said (or why it could not be reached).
 */
export function redisPing(url: string, timeoutMs = 2_000): Promise<'ok' | string> {
  const target = new URL(url);
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const commands: string[][] = [];
  if (password !== '') commands.push(user !== '' ? ['AUTH', user, password] : ['AUTH', password]);
  commands.push(['PING']);
  const payload = commands
    .map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
    .join('');

  return new Promise((resolve) => {
    const socket = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    let received = '';
    const finish = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error) => finish(error.message));
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const replies = received.split('\r\n').filter((line) => line !== '');
      const failure = replies.find((line) => line.startsWith('-'));
      if (failure !== undefined) finish(failure.slice(1));
      else if (replies.length >= commands.length) finish(replies.at(-1) === '+PONG' ? 'ok' : `unexpected ${replies.at(-1)}`);
    });
  });
}

/** Polls `check` every `intervalMs` until it is true, `abort` says why not to wait, or `timeoutMs` passes. */
export async function waitFor(
  check: () => Promise<boolean>,
  { timeoutMs, intervalMs = 250, abort }: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<'ready' | 'timeout' | { aborted: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = abort?.();
    if (reason !== undefined) return { aborted: reason };
    if (await check()) return 'ready';
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
