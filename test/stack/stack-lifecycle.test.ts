import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../deploy/stack/probes.js';
import { runId } from './support/endpoints.js';
import { alive, startStack, type StartedStack } from './support/run-stack.js';

/**
 * `npm run stack` itself: it starts every part, stops all of them (and only them) on
 * SIGTERM, stops everything when one part dies and says which and why, and refuses
 * clearly what it cannot do. Each test starts its own stack on free ports and a database
 * of its own (dropped at stop). Needs `npm run build`, nginx and the local PostgreSQL.
 */
const databaseExists = (name: string): boolean =>
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qAtX', '-c', `SELECT count(*) FROM pg_database WHERE datname = '${name}'`], {
    encoding: 'utf8',
  }).trim() === '1';

describe('npm run stack', () => {
  const started: StartedStack[] = [];
  afterEach(async () => {
    for (const stack of started.splice(0)) {
      if (stack.child.exitCode === null && stack.child.signalCode === null) stack.child.kill('SIGTERM');
      await stack.exited;
    }
  });
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const stack = startStack(args, env);
    started.push(stack);
    return stack;
  };

  it('starts every part, and SIGTERM stops all of them, drops its database and removes its folder', { timeout: 300_000 }, async () => {
    const database = `conduit_stack_t${runId()}`;
    const stack = start(['--port', String(await freePort()), '--replicas', '3', '--workers', '2', '--database', database, '--drop-database']);
    const endpoints = await stack.ready;

    expect(stack.stdout().split('\n')[0]).toBe(`stack ready: ${endpoints.api}`);
    expect(stack.stdout().split('\n')[1]).toBe(`stack https: ${endpoints.https} (certificate ${endpoints.certificate}: self-signed, for local use only)`);
    expect(endpoints.replicas.map((r) => r.name)).toEqual(['api1', 'api2', 'api3']);
    expect(endpoints.parts.map((p) => p.name)).toEqual([
      'postgres',
      'redis',
      'nats',
      'api1',
      'api2',
      'api3',
      'worker1',
      'worker2',
      'relay1',
      'notifier1',
      'nginx',
    ]);
    const pids = endpoints.parts.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
    expect(pids).toHaveLength(10);
    expect(pids.every(alive)).toBe(true);
    expect(databaseExists(database)).toBe(true);
    for (const replica of endpoints.replicas) expect((await fetch(`${replica.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${endpoints.nginx}/lb/health`)).status).toBe(200);

    stack.child.kill('SIGTERM');
    expect(await stack.exited).toEqual({ code: 0, signal: null });
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(endpoints.logs)).toBe(false);
    expect(databaseExists(database)).toBe(false);
    expect(stack.stderr()).toMatch(/stack: stopped\n$/);
  });

  it('stops everything when a part dies, naming it and showing the end of its log', { timeout: 300_000 }, async () => {
    const database = `conduit_stack_t${runId()}`;
    const stack = start(['--port', String(await freePort()), '--database', database, '--drop-database']);
    const endpoints = await stack.ready;
    const victim = endpoints.parts.find((p) => p.name === 'api2');
    const others = endpoints.parts.filter((p) => p.name !== 'api2' && p.pid !== undefined).map((p) => p.pid);

    process.kill(victim?.pid ?? 0, 'SIGKILL');
    expect(await stack.exited).toEqual({ code: 1, signal: null });
    expect(stack.stderr()).toContain(`stack: api2 (pid ${victim?.pid}) was killed by SIGKILL; the last lines of ${victim?.log}:`);
    expect(stack.stderr()).toMatch(/^ {2}api2 \| \{"level":/m);
    expect(stack.stderr()).toMatch(/stack: stopped after a failure\n$/);
    expect(others.filter(alive)).toEqual([]);
    expect(databaseExists(database)).toBe(false);
  });

  it.each([
    ['nginx cannot be found', ['--port', '1'], { NGINX: '/nonexistent/nginx' }, /NGINX=\/nonexistent\/nginx is not an executable file.*apt-get install -y nginx/],
    ['openssl cannot be found', ['--port', '1'], { OPENSSL: '/nonexistent/openssl' }, /OPENSSL=\/nonexistent\/openssl is not an executable file.*apt-get install -y openssl/],
    ['--tls-port is the plain port', ['--port', '9000', '--tls-port', '9000'], {}, /--tls-port and --port are both 9000/],
    ['LOG_LEVEL hides the lines it waits for', [], { LOG_LEVEL: 'warn' }, /LOG_LEVEL=warn: the stack needs info/],
    ['an option is unknown', ['--replica', '3'], {}, /Unknown option '--replica'/],
    ['--replicas is not a count', ['--replicas', 'two'], {}, /--replicas must be a whole number from 1 to 16, not "two"/],
  ])('refuses, starting nothing, when %s', async (_label, args, env, message) => {
    const stack = start(args, env);
    expect(await stack.exited).toEqual({ code: 1, signal: null });
    expect(stack.stderr()).toMatch(message);
    expect(stack.stdout()).toBe('');
    expect(stack.stderr()).not.toContain('logs in');
  });

  it('refuses a port that is taken', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const stack = start(['--port', String(port)]);
      expect(await stack.exited).toEqual({ code: 1, signal: null });
      expect(stack.stderr()).toContain(`port ${port} is taken on 127.0.0.1: choose another with --port or STACK_PORT`);
    } finally {
      taken.close();
    }
  });
});
