import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KeyvRedisCache } from '../../../src/adapters/keyv/keyv-redis-cache.js';
import { RedisChannel } from '../../../src/adapters/redis/redis-channel.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { OwnRedisServer, RecordingLogger, uniquePrefix } from '../redis/redis-test-support.js';

const UNTIL = { timeout: 20_000, interval: 50 };

/**
 * A bump is two commands: the stamps' SET, then the PUBLISH that tells every subscribed
 * process to forget its copies. Here Redis takes the first and refuses the second (an ACL
 * that denies PUBLISH to the writer's user, the one deterministic way to fail between the
 * two): the bump must count as not delivered, keep the writer degraded, and be published
 * again once Redis takes it, so no subscriber keeps a copy the bump made stale.
 */
describe('cache whose bump is stored but not published', () => {
  let server: OwnRedisServer;
  /** Full rights: sets the ACL and watches keys and the channel, as an operator would. */
  let admin: RedisLink;
  let writerLink: RedisLink;
  let writerLog: RecordingLogger;
  let writer: KeyvRedisCache;
  let watcher: RedisChannel;
  const prefix = uniquePrefix('publish-refused');
  const channel = `${prefix}:cache:bumps`;
  const messages: string[] = [];

  const acl = (...rules: string[]) => admin.client.sendCommand(['ACL', 'SETUSER', 'writer', ...rules]);

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    admin = await RedisLink.open({ url: server.url, logger: new RecordingLogger(), timeoutMs: 5000, probeIntervalMs: 100 });
    await acl('reset', 'on', '>writer-password', '~*', '&*', '+@all');
    writerLog = new RecordingLogger();
    writerLink = await RedisLink.open({
      url: `redis://writer:writer-password@127.0.0.1:${server.port}`,
      logger: writerLog,
      timeoutMs: 2000,
      probeIntervalMs: 100,
      connectTimeoutMs: 2000,
    });
    writer = new KeyvRedisCache({ link: writerLink, prefix });
    let live = false;
    watcher = new RedisChannel(admin, channel, { message: (text) => messages.push(text), live: (now) => (live = now) });
    await vi.waitFor(() => expect(live).toBe(true), UNTIL);
  });
  afterAll(async () => {
    await watcher?.close();
    await writer?.close();
    await writerLink?.close();
    await admin?.close();
    await server?.stop();
  });

  it('publishes while Redis takes both commands', async () => {
    await writer.bump(['article:warm-up']);
    await vi.waitFor(() => expect(messages).toContain(JSON.stringify(['article:warm-up'])), UNTIL);
    expect(writer.state()).toBe('ok');
  });

  it('stays degraded while the message is refused, and publishes the bump again once Redis takes it', async () => {
    const stampKey = `${prefix}:cache:stamp:article:1`;
    await writer.stamps(['article:1']);
    const before = await admin.client.get(stampKey);
    const warnings = writerLog.count('warn');
    messages.length = 0;

    await acl('-publish');
    try {
      await writer.bump(['article:1']);
      // The stamp was written: every process that reads Redis sees the bump at once ...
      const stored = await admin.client.get(stampKey);
      expect(stored).not.toBeNull();
      expect(stored).not.toBe(before);
      // ... but the processes holding copies were not told, so the writer does not report 'ok'
      // and hands out no stamp until the message is delivered.
      expect(writer.state()).toBe('degraded');
      expect(await writer.stamps(['article:1'])).toBeNull();
      expect(writerLog.count('warn')).toBe(warnings + 1);
      expect(writerLog.records.at(-1)?.details).toMatchObject({ reason: expect.stringMatching(/NOPERM/i) });
      // Probes keep failing on the refused replay: still degraded, and the outage logged once.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(writer.state()).toBe('degraded');
      expect(writerLog.count('warn')).toBe(warnings + 1);
      expect(messages).toEqual([]);
    } finally {
      await acl('+publish');
    }

    await vi.waitFor(() => expect(writer.state()).toBe('ok'), UNTIL);
    expect(messages).toContain(JSON.stringify(['article:1']));
    expect(writerLog.count('info')).toBeGreaterThanOrEqual(1);
    expect(await writer.stamps(['article:1'])).not.toBeNull();
  });
});
