import { afterEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/config.js';
import { deleteNamespace, openTestLink, SHARED_REDIS_URL, uniquePrefix } from '../adapters/redis/redis-test-support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { PlainTextHasher } from '../support/use-cases.js';

/** The login brute-force guard, on the use case as the API runs it, counting in memory and in Redis. */
const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(config: Partial<AppConfig> = {}) {
  const app = await startTestApp(config, { passwordHasher: new PlainTextHasher() });
  apps.push(app);
  const { useCases } = app.application;
  const login = (email: string, password: string, clientAddress = '10.0.0.1') =>
    useCases.loginUser.execute({ email, password, clientAddress });
  const register = async (name: string) =>
    (await useCases.registerUser.execute({ username: name, email: `${name}@x.test`, password: 'password123' })).unwrap();
  return { app, login, register };
}

const failures = async (login: (email: string, password: string) => Promise<unknown>, email: string, count: number) => {
  for (let i = 0; i < count; i++) await login(email, 'wrong-password');
};
const outcome = (result: Awaited<ReturnType<Awaited<ReturnType<typeof start>>['login']>>) =>
  result.isOk() ? 'ok' : result.error.kind === 'rate-limited' ? `429 after ${result.error.retryAfterS}s` : result.error.kind;

describe('login guard', () => {
  it('refuses an account for the window after 10 failures, even with the right password', async () => {
    const { login, register } = await start();
    await register('jake');
    for (let i = 0; i < 10; i++) expect(outcome(await login('jake@x.test', 'wrong'))).toBe('unauthenticated');
    const refused = await login('JAKE@x.test ', 'password123');
    expect(refused.isErr() && refused.error).toMatchObject({ kind: 'rate-limited', code: 'AUTH.TOO_MANY_ATTEMPTS' });
    const retryAfterS = refused.isErr() && refused.error.kind === 'rate-limited' ? refused.error.retryAfterS : 0;
    expect(retryAfterS).toBeGreaterThan(0);
    expect(retryAfterS).toBeLessThanOrEqual(900);
    // Another account from the same address is not held back.
    await register('anna');
    expect(outcome(await login('anna@x.test', 'password123'))).toBe('ok');
  });

  it('forgets the failures of an account after a success', async () => {
    const { login, register } = await start();
    await register('jake');
    await failures(login, 'jake@x.test', 9);
    expect(outcome(await login('jake@x.test', 'password123'))).toBe('ok');
    await failures(login, 'jake@x.test', 9);
    expect(outcome(await login('jake@x.test', 'password123'))).toBe('ok');
  });

  it('counts unknown accounts too, so refusals reveal nothing about which exist', async () => {
    const { login } = await start();
    await failures(login, 'nobody@x.test', 10);
    expect(outcome(await login('nobody@x.test', 'x'))).toMatch(/^429/);
  });

  it('refuses an address after its own, larger, number of failures over any accounts', async () => {
    const { login, register } = await start({ loginMaxFailuresPerIp: 5 });
    await register('jake');
    for (let i = 0; i < 5; i++) await login(`guess${i}@x.test`, 'wrong', '10.9.9.9');
    expect(outcome(await login('jake@x.test', 'password123', '10.9.9.9'))).toMatch(/^429/);
    expect(outcome(await login('jake@x.test', 'password123', '10.1.1.1'))).toBe('ok');
  });

  it('is off with LOGIN_MAX_FAILURES=0', async () => {
    const { login, register } = await start({ loginMaxFailures: 0 });
    await register('jake');
    await failures(login, 'jake@x.test', 30);
    expect(outcome(await login('jake@x.test', 'password123'))).toBe('ok');
  });

  it('counts across processes in Redis: failures through one API count in the other', async () => {
    const redisPrefix = uniquePrefix('login-guard');
    const config = { redisUrl: SHARED_REDIS_URL, redisPrefix, redisTimeoutMs: 5000 };
    const one = await start(config);
    const two = await start(config);
    await one.register('jake');
    await two.register('jake');
    for (let i = 0; i < 10; i++) await (i % 2 ? one : two).login('jake@x.test', 'wrong');
    expect(outcome(await one.login('jake@x.test', 'password123'))).toMatch(/^429/);
    expect(outcome(await two.login('jake@x.test', 'password123'))).toMatch(/^429/);
    const link = await openTestLink();
    await deleteNamespace(link, redisPrefix);
    await link.close();
  });
});
