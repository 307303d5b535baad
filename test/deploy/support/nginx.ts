import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, nginxArgs, nginxPrefix, writeNginxPrefix } from '../../../deploy/stack/nginx.js';
import { answers200, freePort, LOOPBACK, waitFor } from '../../../deploy/stack/probes.js';
import { StackRefusal } from '../../../deploy/stack/refusal.js';

/**
 * The nginx binary, or undefined when it is not installed: the nginx tests are then
 * skipped, unless REQUIRE_NGINX=1 (CI's stack checks) makes that a failure.
 */
export function nginxOrSkip(): string | undefined {
  try {
    return findNginx();
  } catch (error) {
    if (!(error instanceof StackRefusal) || process.env.REQUIRE_NGINX === '1') throw error;
    console.warn(`nginx tests skipped: ${error.message}`);
    return undefined;
  }
}

/** What a stand-in replica does with each request. */
export type Behaviour = 'echo' | 'drop' | 'fail';

/**
 * A stand-in replica: it records what reached it and answers as told. `echo` answers 200
 * with the request id and forwarded address it received (and echoes the id, as the API
 * does), `drop` reads the request and closes the connection without an answer (a replica
 * dying mid-request), `fail` answers a 500 of its own.
 */
export class FakeReplica {
  readonly received: {
    method: string;
    url: string;
    requestId: string | undefined;
    forwardedFor: string | undefined;
    idempotencyKey: string | undefined;
  }[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(behaviour: Behaviour): Promise<FakeReplica> {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, LOOPBACK, () => resolve((server.address() as { port: number }).port)),
    );
    const replica = new FakeReplica(server, port);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      request.on('end', () => replica.answer(behaviour, request, response));
    });
    return replica;
  }

  private answer(behaviour: Behaviour, request: IncomingMessage, response: ServerResponse): void {
    const requestId = header(request, 'x-request-id');
    this.received.push({
      method: request.method ?? '',
      url: request.url ?? '',
      requestId,
      forwardedFor: header(request, 'x-forwarded-for'),
      idempotencyKey: header(request, 'idempotency-key'),
    });
    if (behaviour === 'drop') {
      request.socket.destroy();
      return;
    }
    const status = behaviour === 'fail' ? 500 : 200;
    const body = behaviour === 'fail' ? { errors: { replica: ['failed'] } } : { requestId, port: this.port };
    response.writeHead(status, { 'content-type': 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) });
    response.end(JSON.stringify(body));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** deploy/nginx.conf running on a prefix of its own, in front of the given upstream ports. */
export interface RunningNginx {
  readonly url: string;
  readonly accessLog: () => string;
  /**
   * The access log once it contains `text`, or as it is after `timeoutMs`: nginx writes a
   * request's line in its log phase, after the response has gone out, so a client that has
   * read the response can be ahead of the line.
   */
  accessLogWith(text: string, timeoutMs?: number): Promise<string>;
  /** What nginx wrote on stdout and stderr (its error log at warn). */
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startNginx(binary: string, upstreamPorts: readonly number[]): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-nginx-test-'));
  const port = await freePort();
  const prefix = nginxPrefix(join(dir, 'nginx'));
  const accessLog = join(dir, 'access.log');
  writeNginxPrefix(prefix, {
    listen: `${LOOPBACK}:${port}`,
    upstreams: upstreamPorts.map((p) => `${LOOPBACK}:${p}`),
    accessLog,
  });
  let output = '';
  const child = spawn(binary, nginxArgs(prefix), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));

  const url = `http://${LOOPBACK}:${port}`;
  const outcome = await waitFor(() => answers200(`${url}/lb/health`), {
    timeoutMs: 15_000,
    intervalMs: 50,
    abort: () => (alive ? undefined : 'exited'),
  });
  const stop = async () => {
    if (alive) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (alive && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (outcome !== 'ready') {
    await stop();
    throw new Error(`nginx did not start: ${output}`);
  }
  const read = () => readFileSync(accessLog, 'utf8');
  const accessLogWith = async (text: string, timeoutMs = 5_000) => {
    await waitFor(async () => read().includes(text), { timeoutMs, intervalMs: 20 });
    return read();
  };
  return { url, accessLog: read, accessLogWith, output: () => output, stop };
}

/** A port nothing listens on (a replica that is down). */
export const closedPort = (): Promise<number> => freePort();
