import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyPluginAsync, type RawServerBase } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hstsHeaderValue,
  http2ServerOptions,
  httpsServerOptions,
  loadTlsMaterial,
  TlsConfigurationError,
  type TlsMaterial,
} from '../../src/adapters/http/tls.js';

const run = promisify(execFile);
let dir: string;
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A self-signed certificate for localhost and 127.0.0.1, made with the openssl command into a temp dir. */
beforeAll(() => {
  for (const [tool, args] of [['openssl', ['version']], ['curl', ['--version']]] as const) {
    try {
      execFileSync(tool, args, { stdio: 'ignore' });
    } catch {
      throw new Error(`test/security/tls.test.ts needs the ${tool} command on PATH (Debian: apt-get install -y ${tool})`);
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'conduit-tls-'));
  const selfSigned = (key: string, cert: string) =>
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file(key),
      '-out', file(cert), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  selfSigned('key.pem', 'cert.pem');
  selfSigned('other-key.pem', 'other-cert.pem');
  openssl('x509', '-in', file('cert.pem'), '-outform', 'DER', '-out', file('cert.der'));
  openssl('pkey', '-in', file('key.pem'), '-aes256', '-passout', 'pass:secret', '-out', file('encrypted-key.pem'));
  writeFileSync(file('garbage.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
  writeFileSync(file('garbage-key.pem'), '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
  writeFileSync(file('text.txt'), 'hello\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const material = (): TlsMaterial => {
  const loaded = loadTlsMaterial({ certFile: file('cert.pem'), keyFile: file('key.pem') });
  if (loaded === undefined) throw new Error('no TLS material');
  return loaded;
};

/** What the app should do on a TLS server: HSTS on every answer. The route shows what the request saw. */
const ping =
  (hsts: string): FastifyPluginAsync<Record<never, never>, RawServerBase> =>
  async (app) => {
    app.addHook('onSend', async (_request, reply) => {
      reply.header('strict-transport-security', hsts);
    });
    app.get('/ping', async (request) => ({ protocol: request.protocol, httpVersion: request.raw.httpVersion }));
  };

async function serve(tls: TlsMaterial, http2 = false): Promise<{ app: { close(): Promise<unknown> }; port: number }> {
  if (http2) {
    const app = Fastify(http2ServerOptions(tls));
    await app.register(ping(tls.hsts));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, port: (app.server.address() as AddressInfo).port };
  }
  const app = Fastify(httpsServerOptions(tls));
  await app.register(ping(tls.hsts));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

function get(port: number, ca?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', servername: 'localhost', port, path: '/ping', ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS: serving HTTPS', () => {
  it('serves HTTPS with the certificate to a client that trusts it, with HSTS', async () => {
    const tls = material();
    expect(tls.hsts).toBe('max-age=31536000; includeSubDomains');
    expect(tls.certificate.subject).toContain('CN=localhost');
    const { app, port } = await serve(tls);
    try {
      const res = await get(port, tls.cert);
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(JSON.parse(res.body)).toEqual({ protocol: 'https', httpVersion: '1.1' });
    } finally {
      await app.close();
    }
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const tls = material();
    const { app, port } = await serve(tls);
    try {
      await expect(get(port)).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
      const other = loadTlsMaterial({ certFile: file('other-cert.pem'), keyFile: file('other-key.pem') });
      await expect(get(port, other?.cert)).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
    } finally {
      await app.close();
    }
  });

  it('answers curl --cacert with HSTS, and curl without the CA fails verification', async () => {
    const tls = material();
    const { app, port } = await serve(tls);
    try {
      const url = `https://localhost:${port}/ping`;
      const resolve = `localhost:${port}:127.0.0.1`;
      const { stdout } = await run('curl', ['-sS', '-i', '--cacert', file('cert.pem'), '--resolve', resolve, url]);
      expect(stdout).toMatch(/^HTTP\/1\.1 200/);
      expect(stdout.toLowerCase()).toContain('strict-transport-security: max-age=31536000; includesubdomains');
      // curl exits with 60 when it cannot verify the peer's certificate.
      await expect(run('curl', ['-sS', '--resolve', resolve, url])).rejects.toMatchObject({ code: 60 });
    } finally {
      await app.close();
    }
  });

  it('serves HTTP/2 and still HTTP/1.1 to clients without h2', async () => {
    const tls = material();
    const { app, port } = await serve(tls, true);
    try {
      const h1 = await get(port, tls.cert);
      expect(JSON.parse(h1.body)).toEqual({ protocol: 'https', httpVersion: '1.1' });
      expect(h1.headers['strict-transport-security']).toBe(tls.hsts);

      const session = http2Connect(`https://localhost:${port}`, { ca: tls.cert, host: '127.0.0.1' });
      try {
        const h2 = await new Promise<{ status: unknown; hsts: unknown; body: string }>((resolve, reject) => {
          const stream = session.request({ ':path': '/ping' });
          let body = '';
          let head: Record<string, unknown> = {};
          stream.on('response', (headers) => (head = headers));
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve({ status: head[':status'], hsts: head['strict-transport-security'], body }));
          stream.on('error', reject);
          stream.end();
        });
        expect(h2.status).toBe(200);
        expect(h2.hsts).toBe(tls.hsts);
        expect(JSON.parse(h2.body)).toEqual({ protocol: 'https', httpVersion: '2.0' });
      } finally {
        session.close();
      }

      const resolve = `localhost:${port}:127.0.0.1`;
      const { stdout } = await run('curl', ['-sS', '-i', '--http2', '--cacert', file('cert.pem'), '--resolve', resolve, `https://localhost:${port}/ping`]);
      expect(stdout).toMatch(/^HTTP\/2 200/);
    } finally {
      await app.close();
    }
  });
});

describe('TLS: configuration', () => {
  const load = (certFile: string | undefined, keyFile: string | undefined, now?: Date) => () =>
    loadTlsMaterial({ certFile: certFile && file(certFile), keyFile: keyFile && file(keyFile) }, now);

  it('serves plain HTTP when neither file is set, and refuses one without the other', () => {
    expect(load(undefined, undefined)()).toBeUndefined();
    expect(load('cert.pem', undefined)).toThrow('TLS_CERT_FILE and TLS_KEY_FILE must be set together (only TLS_CERT_FILE is set)');
    expect(load(undefined, 'key.pem')).toThrow('(only TLS_KEY_FILE is set)');
  });

  it('names the setting and the file when a file is missing or not a file', () => {
    expect(load('missing.pem', 'key.pem')).toThrow(`TLS_CERT_FILE cannot be read (no such file): ${file('missing.pem')}`);
    expect(load('cert.pem', 'missing.pem')).toThrow(/^TLS_KEY_FILE cannot be read \(no such file\)/);
    expect(() => loadTlsMaterial({ certFile: dir, keyFile: file('key.pem') })).toThrow(/TLS_CERT_FILE cannot be read \(is a directory\)/);
  });

  it.skipIf(process.getuid?.() === 0)('says permission denied for a file it may not read', () => {
    const locked = file('locked.pem');
    writeFileSync(locked, 'x', { mode: 0o000 });
    expect(load('locked.pem', 'key.pem')).toThrow(/TLS_CERT_FILE cannot be read \(permission denied\)/);
  });

  it('refuses files that are not PEM, or PEM that does not parse', () => {
    expect(load('cert.der', 'key.pem')).toThrow(/TLS_CERT_FILE is not a PEM certificate/);
    expect(load('text.txt', 'key.pem')).toThrow(/TLS_CERT_FILE is not a PEM certificate/);
    expect(load('garbage.pem', 'key.pem')).toThrow(/TLS_CERT_FILE holds a PEM block that is not a valid certificate/);
    expect(load('cert.pem', 'cert.pem')).toThrow(/TLS_KEY_FILE is not a PEM private key/);
    expect(load('cert.pem', 'garbage-key.pem')).toThrow(/TLS_KEY_FILE holds a PEM block that is not a valid private key/);
  });

  it('refuses an encrypted key and a key of another certificate', () => {
    expect(load('cert.pem', 'encrypted-key.pem')).toThrow(/TLS_KEY_FILE is encrypted/);
    expect(load('cert.pem', 'other-key.pem')).toThrow(/TLS_KEY_FILE is not the private key of the certificate/);
  });

  it('refuses a certificate that has expired or is not valid yet', () => {
    expect(load('cert.pem', 'key.pem', new Date(Date.now() + 10 * 86_400_000))).toThrow(/TLS_CERT_FILE expired on/);
    expect(load('cert.pem', 'key.pem', new Date(Date.now() - 10 * 86_400_000))).toThrow(/TLS_CERT_FILE is not valid before/);
  });

  it('every error is one line, and a TlsConfigurationError', () => {
    for (const attempt of [load('cert.pem', undefined), load('missing.pem', 'key.pem'), load('cert.der', 'key.pem'), load('cert.pem', 'other-key.pem')]) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TlsConfigurationError);
      expect((caught as Error).message).not.toContain('\n');
    }
  });

  it('builds the HSTS value from a max-age', () => {
    expect(hstsHeaderValue(600)).toBe('max-age=600; includeSubDomains');
    expect(() => hstsHeaderValue(-1)).toThrow(TlsConfigurationError);
  });
});
