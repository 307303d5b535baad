import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nginxArgs, nginxPrefix, testNginxConfig, writeNginxPrefix, type NginxPrefix } from '../../deploy/stack/nginx.js';
import { StackRefusal } from '../../deploy/stack/refusal.js';
import { findOpenssl, makeLocalCertificate } from '../../deploy/stack/tls.js';
import { nginxOrSkip } from './support/nginx.js';

/**
 * One nginx configuration for docker-compose and `npm run stack`: deploy/nginx.conf,
 * plus the few lines each deployment gives it (deploy/nginx/compose/, or what the stack
 * writes). `nginx -t` on a temp prefix checks each combination.
 */
const nginx = nginxOrSkip();
const root = join(import.meta.dirname, '..', '..');
const shared = readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8');
const included = [...shared.matchAll(/^\s*include\s+deployment\/([\w.-]+);/gm)].map((m) => m[1]).sort();

describe('the deployment files deploy/nginx.conf includes', () => {
  it('are the same three in every deployment', () => {
    expect(included).toEqual(['http.conf', 'listen.conf', 'upstream.conf']);
    expect(readdirSync(join(root, 'deploy', 'nginx', 'compose')).sort()).toEqual(included);
  });

  it('are mounted by docker-compose beside the shared file', () => {
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(compose).toContain('./deploy/nginx/compose:/etc/nginx/deployment:ro');
  });
});

describe.skipIf(nginx === undefined)('nginx -t', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-nginx-t-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const stackPrefix = (upstreams: string[]): NginxPrefix => {
    const dir = tempDir();
    const prefix = nginxPrefix(join(dir, 'nginx'));
    writeNginxPrefix(prefix, { listen: '127.0.0.1:8080', upstreams, accessLog: join(dir, 'access.log') });
    return prefix;
  };

  it("accepts the stack's deployment, and the shared file is copied unchanged", async () => {
    const prefix = stackPrefix(['127.0.0.1:3001', '127.0.0.1:3002']);
    await testNginxConfig(nginx ?? 'nginx', prefix);
    expect(readFileSync(prefix.conf, 'utf8')).toBe(shared);
  });

  it("accepts the stack's deployment with its TLS listener, and the shared file is still copied unchanged", async () => {
    const dir = tempDir();
    const certificate = await makeLocalCertificate(findOpenssl(), join(dir, 'tls'));
    const prefix = nginxPrefix(join(dir, 'nginx'));
    writeNginxPrefix(prefix, {
      listen: '127.0.0.1:8080',
      upstreams: ['127.0.0.1:3001'],
      accessLog: join(dir, 'access.log'),
      tls: { listen: '127.0.0.1:8443', ...certificate },
    });
    await testNginxConfig(nginx ?? 'nginx', prefix);
    expect(readFileSync(prefix.conf, 'utf8')).toBe(shared);
    const deployment = (file: string) => readFileSync(join(prefix.dir, 'conf', 'deployment', file), 'utf8');
    expect(deployment('listen.conf')).toMatch(/^listen 127\.0\.0\.1:8080;\nlisten 127\.0\.0\.1:8443 ssl;$/m);
    expect(deployment('http.conf')).toContain(`ssl_certificate "${certificate.certificate}";\nssl_certificate_key "${certificate.key}";\nssl_protocols TLSv1.2 TLSv1.3;\n`);
  });

  it('rejects a deployment without replicas, with nginx\'s reason', async () => {
    const prefix = stackPrefix([]);
    const outcome = testNginxConfig(nginx ?? 'nginx', prefix);
    await expect(outcome).rejects.toBeInstanceOf(StackRefusal);
    await expect(outcome).rejects.toThrow(/no servers are inside upstream/);
  });

  it("accepts docker-compose's deployment (its two Docker-only parts adapted to this machine)", async () => {
    // nginx 1.22 (Debian) predates `server … resolve` (1.27.3; the image runs 1.28), and
    // the service names resolve only on the compose network: both are replaced, nothing else.
    const stack = stackPrefix(['127.0.0.1:3001']);
    const prefix = nginxPrefix(join(tempDir(), 'nginx'));
    const deployment = join(prefix.dir, 'conf', 'deployment');
    mkdirSync(deployment, { recursive: true });
    copyFileSync(join(root, 'deploy', 'nginx.conf'), prefix.conf);
    const compose = (file: string) => readFileSync(join(root, 'deploy', 'nginx', 'compose', file), 'utf8');
    const upstream = compose('upstream.conf');
    expect(upstream).toMatch(/server api1:3000 resolve/);
    writeFileSync(
      join(deployment, 'upstream.conf'),
      upstream.replace(/\bapi(\d):3000 resolve\b/g, '127.0.0.1:300$1'),
    );
    writeFileSync(join(deployment, 'listen.conf'), compose('listen.conf'));
    // The image's compiled-in temp paths are its own; here they come from the stack's file.
    const stackHttp = readFileSync(join(stack.dir, 'conf', 'deployment', 'http.conf'), 'utf8');
    const tempPaths = stackHttp.split('\n').filter((line) => line.includes('_temp_path'));
    writeFileSync(join(deployment, 'http.conf'), [compose('http.conf'), ...tempPaths].join('\n'));
    // Its access log is /dev/stdout, which nginx reopens: a file here, as in a container
    // (a Node child's stdout is a socket, which cannot be reopened).
    const stdout = openSync(join(prefix.dir, 'stdout.log'), 'a');
    const check = spawnSync(nginx ?? 'nginx', nginxArgs(prefix, true), { stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' });
    closeSync(stdout);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
