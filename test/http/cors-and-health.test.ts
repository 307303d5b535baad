import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../src/adapters/http/health.js';
import { startFakeApp, type FakeApp } from './support/fake-deps.js';

describe('CORS', () => {
  let fake: FakeApp;
  afterEach(async () => {
    await fake?.app.close();
  });

  const preflight = (origin: string, method = 'POST') =>
    fake.app.inject({
      method: 'OPTIONS',
      url: '/api/articles',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'content-type,authorization,x-requested-with',
      },
    });

  it('answers a preflight with 204 and the allowed origin, headers and methods', async () => {
    fake = await startFakeApp();
    const res = await preflight('https://app.example');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/Content-Type.*Authorization.*X-Requested-With/);
    expect(String(res.headers['access-control-allow-methods'])).toMatch(/GET.*POST.*PUT.*DELETE/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('only echoes configured origins when a list is given', async () => {
    fake = await startFakeApp({ options: { corsOrigins: ['https://app.example'] } });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(allowed.headers.vary).toContain('Origin');
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('decorates error answers so browsers can read them', async () => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: 'GET', url: '/api/user', headers: { origin: 'https://app.example' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-expose-headers'])).toContain('X-Request-Id');
  });
});

describe('health probes', () => {
  let fake: FakeApp;
  afterEach(async () => {
    await fake?.app.close();
  });

  it('liveness always answers 200', async () => {
    fake = await startFakeApp({ readiness: [{ name: 'database', check: () => Promise.reject(new Error('down')) }] });
    const res = await fake.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('readiness answers 200 with every check when all pass', async () => {
    fake = await startFakeApp({
      readiness: [
        { name: 'database', check: async () => 'ok' },
        { name: 'cache', check: async () => 'ok' },
      ],
    });
    const res = await fake.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: 'ok', cache: 'ok' } });
  });

  it('stays ready with a degraded dependency, naming it', async () => {
    fake = await startFakeApp({
      readiness: [
        { name: 'database', check: async () => 'ok' },
        { name: 'cache', check: async () => 'degraded' },
      ],
    });
    const res = await fake.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'degraded', checks: { database: 'ok', cache: 'degraded' } });
  });

  it('stays ready, degraded, while the read store is lost or replayed into: writes only need the database', async () => {
    for (const state of ['replaying', 'lost'] as const) {
      fake = await startFakeApp({
        readiness: [
          { name: 'database', critical: true, check: async () => 'ok' },
          { name: 'read-store', check: async () => state },
        ],
      });
      const res = await fake.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'degraded', checks: { database: 'ok', 'read-store': state } });
      await fake.app.close();
    }
  });

  it('is not ready when a critical dependency is not', async () => {
    fake = await startFakeApp({
      readiness: [
        { name: 'database', critical: true, check: async () => 'timeout' },
        { name: 'read-store', check: async () => 'ok' },
      ],
    });
    const res = await fake.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', checks: { database: 'timeout', 'read-store': 'ok' } });
  });

  it('readiness answers 503 naming the failed check, without its error', async () => {
    fake = await startFakeApp({
      readiness: [
        { name: 'database', critical: true, check: () => Promise.reject(new Error('password authentication failed for admin')) },
        { name: 'cache', check: async () => 'ok' },
      ],
    });
    const res = await fake.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', checks: { database: 'failed', cache: 'ok' } });
    expect(res.body).not.toContain('password');
  });

  it('readiness with no dependencies is ready', async () => {
    fake = await startFakeApp();
    expect((await fake.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('a check that hangs counts as a timeout', async () => {
    const app = Fastify();
    healthRoutes(app, [{ name: 'slow', critical: true, check: () => new Promise(() => {}) }], { draining: () => false }, 20);
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', checks: { slow: 'timeout' } });
    await app.close();
  });

  it('ignores a bad token (probes are not part of the API)', async () => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: 'GET', url: '/health/live', headers: { authorization: 'Token x' } });
    expect(res.statusCode).toBe(200);
  });
});
