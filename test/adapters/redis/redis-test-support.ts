import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { RedisLink, type LinkLogger, type RedisLinkOptions } from '../../../src/adapters/redis/redis-link.js';

/** The Redis every development and CI machine runs; tests share it through unique prefixes. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A namespace no other test run uses, so test files and other engineers' runs can share one Redis. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${randomUUID().slice(0, 8)}`;
}

export interface LogRecord {
  readonly level: 'warn' | 'info';
  readonly details: object;
  readonly message: string;
}

/** A LinkLogger that keeps what it was told. */
export class RecordingLogger implements LinkLogger {
  readonly records: LogRecord[] = [];
  warn(details: object, message: string): void {
    this.records.push({ level: 'warn', details, message });
  }
  info(details: object, message: string): void {
    this.records.push({ level: 'info', details, message });
  }
  count(level: LogRecord['level']): number {
    return this.records.filter((record) => record.level === level).length;
  }
}

/**
 * A link for tests that are not about timeouts: a generous bounded wait, so a loaded
 * machine cannot turn a slow answer into a spurious outage.
 */
export function openTestLink(options: Partial<RedisLinkOptions> = {}): Promise<RedisLink> {
  return RedisLink.open({
    url: SHARED_REDIS_URL,
    logger: new RecordingLogger(),
    timeoutMs: 5000,
    connectTimeoutMs: 5000,
    ...options,
  });
}

/** Deletes every key of the namespace (a test's clean-up). */
export async function deleteNamespace(link: RedisLink, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of link.client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) keys.push(...batch);
  if (keys.length > 0) await link.client.del(keys);
}

/** Counts the keys of the namespace. */
export async function namespaceKeys(link: RedisLink, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of link.client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) keys.push(...batch);
  return keys.sort();
}

/**
 * A redis-server of a test's own, on a free port, that the test may stop, freeze and start
 * again on the same port (the shared server must never be touched that way).
 */
export class OwnRedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.process !== undefined) throw new Error('already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    this.process = child;
    child.once('exit', () => {
      if (this.process === child) this.process = undefined;
    });
    await waitForPong(this.port);
  }

  /** SIGKILL: the server and every key are gone. */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** SIGSTOP: connections stay open and nothing answers (a hung server). */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.thaw();
    await this.kill();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPong(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
