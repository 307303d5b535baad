import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELMET_OPTIONS, helmetHeaders } from '../../src/adapters/http/security-headers.js';
import type { PasswordHasher } from '../../src/application/users/password-hasher.js';
import { loadConfig } from '../../src/config/config.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { SecureApp } from './support/secure-app.js';

describe('security headers (helmet, tuned for a JSON API)', () => {
  let app: SecureApp;
  beforeEach(async () => {
    app = await SecureApp.start();
  });
  afterEach(() => app.close());

  it('sends them on answers, errors and unknown routes alike; no HSTS over plain HTTP', async () => {
    for (const res of [await app.request('GET', '/tags'), await app.request('GET', '/user'), await app.request('GET', '/nowhere')]) {
      const directives = String(res.headers['content-security-policy']).split(';').map((directive) => directive.trim());
      expect(directives.sort()).toEqual(["default-src 'none'", "frame-ancestors 'none'"]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-permitted-cross-domain-policies']).toBe('none');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('are exactly what helmet sets on a real response, worked out once', async () => {
    const middleware = helmet(HELMET_OPTIONS);
    const server: Server = createServer((req, res) => middleware(req, res, () => res.end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const own = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);
      const fromHelmet = Object.fromEntries([...response.headers].filter(([name]) => !own.has(name)));
      expect(Object.keys(fromHelmet).length).toBeGreaterThanOrEqual(8);
      expect(helmetHeaders(HELMET_OPTIONS)).toEqual(fromHelmet);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('CORS', () => {
  it('never allows credentials, with * or with a list of origins', async () => {
    for (const corsOrigins of [['*'], ['https://app.example']]) {
      const app = await SecureApp.start({ corsOrigins });
      try {
        const res = await app.http.inject({
          method: 'OPTIONS',
          url: '/api/user',
          headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
        });
        expect(res.headers['access-control-allow-origin']).toBe(corsOrigins[0]);
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      } finally {
        await app.close();
      }
    }
  });

  it('refuses CORS_ORIGINS that are not origins, or * mixed with origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    for (const bad of ['*,https://a.example', 'a.example', 'https://a.example/', 'https://a.example/path', 'null', 'javascript:x'])
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
  });
});

/** A hasher that fails like an unreachable native module would, for the 500 path. */
class BrokenHasher implements PasswordHasher {
  async hash(): Promise<string> {
    throw new Error('hasher exploded');
  }
  async verify(): Promise<boolean> {
    throw new Error('hasher exploded');
  }
}

describe('redaction: error bodies and logs never carry a password, a token or a secret', () => {
  const PASSWORD = 'correct-horse-battery-staple';

  it('through registration, login, bad tokens, validation errors and settings changes', async () => {
    const app = await SecureApp.start();
    try {
      const user = await app.register('jake');
      const bodies: string[] = [];
      const send = async (...args: Parameters<SecureApp['request']>) => {
        const res = await app.request(...args);
        if (res.statusCode >= 400) bodies.push(res.body);
        return res;
      };
      await send('PUT', '/user', { token: user.token, body: { user: { password: PASSWORD } } });
      const fresh = await send('POST', '/users/login', { body: { user: { email: user.email, password: PASSWORD } } });
      const token: string = fresh.json().user.token;
      await send('POST', '/users/login', { body: { user: { email: user.email, password: `${PASSWORD}-wrong` } } });
      await send('POST', '/users', { body: { user: { username: 'x y', email: 'nope', password: 'short' } } });
      await send('POST', '/users', { body: { user: { username: 'amy', email: 'amy@example.com', password: 'p'.repeat(2000) } } });
      await send('GET', '/user', { token: `${token}x` });
      await send('GET', '/user', { token: `${TEST_JWT_SECRET}.${PASSWORD}.x` });
      await send('PUT', '/user', { token, body: { user: { email: PASSWORD } } });
      expect(bodies.length).toBeGreaterThanOrEqual(6);
      for (const body of bodies) expect(Object.keys(JSON.parse(body))).toEqual(['errors']);
      const everything = `${bodies.join('\n')}\n${app.rawLogs}`;
      for (const secret of [PASSWORD, 'password123', token, user.token, TEST_JWT_SECRET, 'p'.repeat(100)])
        expect(everything.includes(secret), `leaked ${secret.slice(0, 12)}…`).toBe(false);
      expect(app.logs.length).toBeGreaterThan(10);
    } finally {
      await app.close();
    }
  });

  it('a 500 answers a generic body with the request id, never the cause', async () => {
    const app = await SecureApp.start({}, { passwordHasher: new BrokenHasher() });
    try {
      const res = await app.request('POST', '/users', { body: { user: { username: 'amy', email: 'amy@example.com', password: PASSWORD } } });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('exploded');
      expect(res.body).not.toContain(PASSWORD);
      expect(Object.keys(res.json())).toEqual(['errors']);
      expect(app.rawLogs).not.toContain(PASSWORD);
    } finally {
      await app.close();
    }
  });
});
