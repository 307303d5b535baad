import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLoginAttempts } from '../../../src/adapters/redis/redis-login-attempts.js';
import type { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { deleteNamespace, namespaceKeys, openTestLink, uniquePrefix } from '../../adapters/redis/redis-test-support.js';
import { loginAttemptsContract } from './login-attempts.contract.js';

const prefix = uniquePrefix('login');
let link: RedisLink;

beforeAll(async () => {
  link = await openTestLink();
});
afterAll(async () => {
  await deleteNamespace(link, prefix);
  await link.close();
});

loginAttemptsContract('redis', {
  open: async () => new RedisLoginAttempts({ link, prefix }),
  passTime: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

describe('Redis login attempts', () => {
  it('counts on behalf of every replica: two instances share the counters', async () => {
    const replicaLink = await openTestLink();
    try {
      const one = new RedisLoginAttempts({ link, prefix });
      const two = new RedisLoginAttempts({ link: replicaLink, prefix });
      await one.recordFailure(['shared@example.com'], 60);
      await two.recordFailure(['shared@example.com'], 60);
      expect((await one.check(['shared@example.com']))[0]?.failures).toBe(2);
      await two.reset(['shared@example.com']);
      expect((await one.check(['shared@example.com']))[0]?.failures).toBe(0);
    } finally {
      await replicaLink.close();
    }
  });

  it('keeps keys in the deployment namespace, hashed, never in clear', async () => {
    const attempts = new RedisLoginAttempts({ link, prefix: `${prefix}-hash` });
    await attempts.recordFailure(['jake@example.com'], 60);
    const keys = await namespaceKeys(link, `${prefix}-hash`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${prefix}-hash:login:[A-Za-z0-9_-]{43}$`));
    expect(keys[0]).not.toContain('jake');
    const ttl = await link.client.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    await deleteNamespace(link, `${prefix}-hash`);
  });
});
