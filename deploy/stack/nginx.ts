import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable, isExecutable, repoRoot } from './paths.js';
import { StackRefusal } from './refusal.js';

const run = promisify(execFile);

export const NGINX_INSTALL_HINT =
  'install it as root with `apt-get install -y nginx` (Debian package nginx, 1.22; the stack runs its own nginx and never touches the system service), or point NGINX at a binary';

/** The nginx binary: $NGINX, else `nginx` on PATH or in /usr/sbin (not on every PATH). */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NGINX) {
    if (!isExecutable(env.NGINX)) throw new StackRefusal(`NGINX=${env.NGINX} is not an executable file: ${NGINX_INSTALL_HINT}`);
    return env.NGINX;
  }
  const found = findExecutable('nginx', env);
  if (found === undefined) throw new StackRefusal(`nginx is not installed: ${NGINX_INSTALL_HINT}`);
  return found;
}

/** What deploy/nginx.conf leaves to each deployment (see its header). */
export interface NginxDeployment {
  /** `listen` argument: `127.0.0.1:8080`. */
  readonly listen: string;
  /** The replicas, `host:port` each. */
  readonly upstreams: readonly string[];
  /** The access log file (nginx cannot reopen a socket as /dev/stdout, which is what a Node child's stdout is). */
  readonly accessLog: string;
  /** A second, TLS listener with this certificate and key (PEM files). */
  readonly tls?: { readonly listen: string; readonly certificate: string; readonly key: string } | undefined;
}

/** An nginx prefix of its own: configuration, temp folders and pid file, nothing shared. */
export interface NginxPrefix {
  readonly dir: string;
  readonly conf: string;
  readonly pidFile: string;
}

/** Where the files of a prefix under `dir` go (nothing is written). */
export function nginxPrefix(dir: string): NginxPrefix {
  return { dir, conf: join(dir, 'conf', 'nginx.conf'), pidFile: join(dir, 'nginx.pid') };
}

/**
 * Writes the prefix: deploy/nginx.conf copied unchanged, and this deployment's files in
 * `deployment/` beside it. The temp paths are set because the Debian build's defaults
 * are absolute (/var/lib/nginx), which would touch the system installation.
 */
export function writeNginxPrefix(prefix: NginxPrefix, deployment: NginxDeployment): void {
  const confDir = dirname(prefix.conf);
  const tempDir = join(prefix.dir, 'temp');
  mkdirSync(join(confDir, 'deployment'), { recursive: true });
  mkdirSync(tempDir, { recursive: true });
  copyFileSync(join(repoRoot(), 'deploy', 'nginx.conf'), prefix.conf);

  const header = '# Written by `npm run stack` (deploy/stack/nginx.ts) for one run; see deploy/nginx.conf.\n';
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${quote(join(tempDir, kind))};`)
    .join('\n');
  const tls = deployment.tls;
  const tlsHttp =
    tls === undefined
      ? ''
      : `ssl_certificate ${quote(tls.certificate)};\nssl_certificate_key ${quote(tls.key)};\nssl_protocols TLSv1.2 TLSv1.3;\n`;
  writeFileSync(
    join(confDir, 'deployment', 'http.conf'),
    `${header}access_log ${quote(deployment.accessLog)} conduit;\n${temp}\n${tlsHttp}`,
  );
  const servers = deployment.upstreams.map((address) => `server ${address} max_fails=3 fail_timeout=10s;`).join('\n');
  writeFileSync(join(confDir, 'deployment', 'upstream.conf'), `${header}${servers}\n`);
  const tlsListen = tls === undefined ? '' : `listen ${tls.listen} ssl;\n`;
  writeFileSync(join(confDir, 'deployment', 'listen.conf'), `${header}listen ${deployment.listen};\n${tlsListen}`);
  openPathForWorkers(prefix.dir);
}

/**
 * nginx started as root runs its workers as an unprivileged user, which must be able to
 * reach the temp folders (nginx creates and chowns those itself): folders from the
 * system temp folder down to the prefix get search permission (not read: not listable).
 */
function openPathForWorkers(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const base = tmpdir();
  if (!(dir + sep).startsWith(base + sep)) return;
  let current = dir;
  while (relative(base, current) !== '') {
    chmodSync(current, statSync(current).mode | 0o111);
    current = dirname(current);
  }
}

/** Arguments that run nginx in the foreground on `prefix`, never reading /etc/nginx. */
export function nginxArgs(prefix: NginxPrefix, test = false): string[] {
  return [
    ...(test ? ['-t', '-q'] : []),
    '-p',
    prefix.dir,
    '-c',
    prefix.conf,
    '-e',
    'stderr',
    '-g',
    `daemon off; pid ${quote(prefix.pidFile)};`,
  ];
}

/** `nginx -t` on the prefix; refuses with nginx's own message when the configuration is bad. */
export async function testNginxConfig(binary: string, prefix: NginxPrefix): Promise<void> {
  try {
    await run(binary, nginxArgs(prefix, true), { timeout: 30_000 });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message?: string };
    throw new StackRefusal(`nginx -t rejected the configuration:\n${stderr?.trim() || message}`);
  }
}

const quote = (path: string): string => `"${path.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
