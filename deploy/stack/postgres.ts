import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { StackRefusal } from './refusal.js';

const run = promisify(execFile);

/** The development machines' PostgreSQL: local, trust authentication for `postgres`. */
const LOCAL = { host: '127.0.0.1', port: '5432', user: 'postgres' } as const;

/** Database names the stack creates or drops: plain identifiers, nothing to quote or escape. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const localDatabaseUrl = (name: string): string =>
  `postgresql://${LOCAL.user}@${LOCAL.host}:${LOCAL.port}/${name}`;

export function checkDatabaseName(name: string): string {
  if (!DATABASE_NAME.test(name))
    throw new StackRefusal(`database name "${name}" must be lower-case letters, digits and _ (at most 63)`);
  return name;
}

async function isReady(target: readonly string[]): Promise<boolean> {
  try {
    await run('pg_isready', ['-q', ...target], { timeout: 5_000 });
    return true;
  } catch (error) {
    if (isMissing(error)) throw new StackRefusal('pg_isready is not installed (Debian package postgresql-client)');
    return false;
  }
}

/**
 * The local server answers, or is started the way the machines are set up to start it
 * (`pg_ctlcluster`, newest cluster under /etc/postgresql). It is a machine service, not
 * a part of the stack: once started it stays up after the stack stops.
 */
export async function ensureLocalServer(say: (message: string) => void): Promise<void> {
  const target = ['-h', LOCAL.host, '-p', LOCAL.port];
  if (await isReady(target)) return;
  let versions: string[] = [];
  try {
    versions = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b));
  } catch {
    // No cluster configured here: refused below.
  }
  const version = versions.at(-1);
  if (version === undefined)
    throw new StackRefusal(
      `PostgreSQL is not answering on ${LOCAL.host}:${LOCAL.port} and no cluster is configured under /etc/postgresql: start one, or set DATABASE_URL`,
    );
  say(`PostgreSQL is down: starting cluster ${version}/main (a machine service: it stays up after the stack stops)`);
  try {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { timeout: 60_000 });
  } catch (error) {
    throw new StackRefusal(`could not start PostgreSQL ${version}/main: ${describe(error)}; start it, or set DATABASE_URL`);
  }
  for (let attempt = 0; attempt < 30; attempt++) {
    if (await isReady(target)) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new StackRefusal(`PostgreSQL ${version}/main was started but does not answer on ${LOCAL.host}:${LOCAL.port}`);
}

/** Whether a DATABASE_URL given from outside answers (pg_isready accepts a connection URL). */
export const externalServerAnswers = (url: string): Promise<boolean> => isReady(['-d', url]);

async function admin(sql: string): Promise<string> {
  try {
    const { stdout } = await run(
      'psql',
      ['-h', LOCAL.host, '-p', LOCAL.port, '-U', LOCAL.user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAtX', '-c', sql],
      { timeout: 30_000 },
    );
    return stdout.trim();
  } catch (error) {
    if (isMissing(error)) throw new StackRefusal('psql is not installed (Debian package postgresql-client)');
    throw new StackRefusal(`PostgreSQL refused "${sql}": ${describe(error)}`);
  }
}

/** Creates the stack's database unless it exists; says whether it did. */
export async function ensureDatabase(name: string): Promise<{ created: boolean }> {
  checkDatabaseName(name);
  const exists = await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (exists === '1') return { created: false };
  await admin(`CREATE DATABASE "${name}"`);
  return { created: true };
}

export async function dropDatabase(name: string): Promise<void> {
  checkDatabaseName(name);
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

function describe(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  return (stderr?.trim() || message || String(error)).split('\n')[0] ?? 'failed';
}
