import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../deploy/stack/endpoints.js';
import { stackFromEnv } from './support/endpoints.js';

/**
 * nginx terminates TLS with the certificate the stack made for this run: a client that
 * trusts it (curl --cacert, Node's https with it as CA) reaches the API, which sees https
 * through X-Forwarded-Proto and sends HSTS; a client that does not trust it is refused.
 */
const stack = stackFromEnv();
const run = promisify(execFile);

interface TlsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function get(url: string, options: RequestOptions): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...options, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(stack === undefined)('HTTPS at nginx', () => {
  const endpoints = stack as StackEndpoints;
  const tlsPort = () => new URL(endpoints.https).port;

  it('lists https and the certificate among the endpoints, for 127.0.0.1 and localhost', async () => {
    expect(endpoints.https).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(tlsPort()).not.toBe(new URL(endpoints.nginx).port);
    const { stdout } = await run('openssl', ['x509', '-in', endpoints.certificate, '-noout', '-ext', 'subjectAltName']);
    expect(stdout).toContain('IP Address:127.0.0.1');
    expect(stdout).toContain('DNS:localhost');
  });

  it('answers curl --cacert <certificate> with 200 and HSTS; curl without it fails verification', async () => {
    const url = `https://127.0.0.1:${tlsPort()}/api/tags`;
    const { stdout } = await run('curl', ['-sS', '-i', '--cacert', endpoints.certificate, url]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(stdout.toLowerCase()).toMatch(/^strict-transport-security: max-age=\d+/m);
    // 60: the peer's certificate cannot be verified with the known CA certificates.
    await expect(run('curl', ['-sS', url])).rejects.toMatchObject({ code: 60 });
  });

  it('answers Node https with the certificate as CA, with HSTS, by name as well as by address', async () => {
    const ca = readFileSync(endpoints.certificate);
    const byAddress = await get(`${endpoints.https}/tags`, { ca });
    expect(byAddress.status).toBe(200);
    expect(byAddress.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(JSON.parse(byAddress.body)).toHaveProperty('tags');
    // The name is checked against the certificate as the SNI name: localhost, not 127.0.0.1.
    const byName = await get(`${endpoints.https}/tags`, { ca, servername: 'localhost' });
    expect(byName.status).toBe(200);
    await expect(get(`${endpoints.https}/tags`, { ca, servername: 'example.com' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('refuses a Node client that does not trust the certificate', async () => {
    await expect(get(`${endpoints.https}/tags`, {})).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('sends no HSTS over plain HTTP on the other port', async () => {
    const response = await fetch(`${endpoints.api}/tags`);
    expect(response.status).toBe(200);
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('speaks TLS 1.2 and TLS 1.3', async () => {
    const ca = readFileSync(endpoints.certificate);
    await expect(get(`${endpoints.https}/tags`, { ca, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).resolves.toMatchObject({ status: 200 });
    await expect(get(`${endpoints.https}/tags`, { ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).resolves.toMatchObject({ status: 200 });
  });
});
