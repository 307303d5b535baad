import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/composition/processes.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { TEST_JWT_SECRET } from '../support/app.js';

/**
 * The server process itself speaking HTTPS from TLS_CERT_FILE / TLS_KEY_FILE, with a
 * certificate made here with openssl (the TLS module's own checks are in tls.test.ts).
 */
let dir: string;
let app: Application;
let port: number;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conduit-https-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('key.pem'),
    '-out', file('cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const config = loadConfig({ NODE_ENV: 'test', STORAGE: 'memory', JWT_SECRET: TEST_JWT_SECRET, TLS_CERT_FILE: file('cert.pem'), TLS_KEY_FILE: file('key.pem') });
  app = await createApplication(config, { logger: pino({ level: 'silent' }) });
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  port = (app.http.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTPS from TLS_CERT_FILE and TLS_KEY_FILE', () => {
  it('answers a client that trusts the certificate, with HSTS', async () => {
    const answer = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/api/tags', ca: readFileSync(file('cert.pem')) }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.hsts).toBe('max-age=31536000; includeSubDomains');
    expect(JSON.parse(answer.body)).toEqual({ tags: [] });
  });

  it('answers curl --cacert; curl without the CA fails verification', async () => {
    const url = `https://localhost:${port}/api/tags`;
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-i', '--cacert', file('cert.pem'), '--resolve', `localhost:${port}:127.0.0.1`, url]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(stdout.toLowerCase()).toContain('strict-transport-security: max-age=31536000; includesubdomains');
    await expect(promisify(execFile)('curl', ['-sS', '--resolve', `localhost:${port}:127.0.0.1`, url])).rejects.toMatchObject({ code: 60 });
  });

  it('refuses to start with one file but not the other, as one line', async () => {
    const config = loadConfig({ NODE_ENV: 'test', STORAGE: 'memory', JWT_SECRET: TEST_JWT_SECRET, TLS_CERT_FILE: file('cert.pem') });
    await expect(createApplication(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(ConfigError);
    await expect(createApplication(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(/TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
  });
});
