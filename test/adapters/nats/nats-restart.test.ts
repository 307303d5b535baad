import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNatsMessageBus } from '../../../src/adapters/nats/nats-message-bus.js';
import { toIntegrationEvent, type IntegrationEvent } from '../../../src/application/integration/integration-events.js';
import { MessageBusError, type MessageBus } from '../../../src/application/integration/message-bus.js';

import { natsServerBinary } from '../../contract/message-bus/brokers.js';

const NATS_SERVER = natsServerBinary();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function eventually(check: () => void | Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const registered = (): IntegrationEvent => {
  const userId = randomUUID();
  return toIntegrationEvent({
    type: 'UserRegistered',
    aggregateType: 'User',
    aggregateId: userId,
    version: 1,
    occurredAt: new Date(),
    payload: { userId, username: `u${userId.slice(0, 8)}`, email: 'x@example.test', bio: null, image: null },
  });
};
const batch = (n: number) => Array.from({ length: n }, registered);

/** A NATS server of this test's own (it is killed), on a free port with a store directory that outlives it. */
describe.skipIf(NATS_SERVER === null)('NATS message bus across a server restart', () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'conduit-nats-'));
  let port: number;
  let server: ChildProcess | null = null;
  let bus: MessageBus | null = null;

  const start = async (): Promise<void> => {
    server = spawn(NATS_SERVER as string, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
    await eventually(async () => expect(await accepting(port)).toBe(true));
  };
  const kill = async (): Promise<void> => {
    const running = server;
    server = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    port = await freePort();
    await start();
  });
  afterAll(async () => {
    await bus?.close();
    await kill();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('rejects publishes while the server is down, then loses no acknowledged event and resumes its consumers', async () => {
    bus = await openNatsMessageBus({
      url: `nats://127.0.0.1:${port}`,
      logger: pino({ level: 'silent' }),
      publishTimeoutMs: 1500,
      reconnectWaitMs: 200,
      shutdownGraceMs: 200,
    });
    const options = (name: string) => ({ name, maxDeliveries: 5, ackTimeoutMs: 2000, backoff: { initialMs: 50, maxMs: 200 } });
    const ids = (events: IntegrationEvent[]) => events.map((e) => e.id);
    // `live` runs across the restart; `later` is stopped, so what it has not yet received sits on disk through it.
    const live: string[] = [];
    await bus.consumer.consume(options('live'), async (d) => void live.push(d.event.id));
    const later: string[] = [];
    const parked = await bus.consumer.consume(options('later'), async (d) => void later.push(d.event.id));

    const handledBefore = batch(5);
    await bus.publisher.publish(handledBefore);
    await eventually(() => expect(live).toEqual(expect.arrayContaining(ids(handledBefore))));
    await eventually(() => expect(later).toEqual(expect.arrayContaining(ids(handledBefore))));
    await parked.stop();
    const storedOnly = batch(5);
    await bus.publisher.publish(storedOnly);
    await eventually(() => expect(live).toEqual(expect.arrayContaining(ids(storedOnly))));

    await kill();
    const during = batch(3);
    await expect(bus.publisher.publish(during)).rejects.toBeInstanceOf(MessageBusError);

    await start();
    // The caller's retry: the same events again until the server takes them.
    await eventually(() => bus!.publisher.publish(during));
    const after = batch(3);
    await bus.publisher.publish(after);
    await bus.consumer.consume(options('later'), async (d) => void later.push(d.event.id));

    const acknowledged = [...ids(handledBefore), ...ids(storedOnly), ...ids(during), ...ids(after)];
    await eventually(() => expect(live).toEqual(expect.arrayContaining(acknowledged)));
    await eventually(() => expect(later).toEqual(expect.arrayContaining(acknowledged)));
    // A rejected publish may still have reached the server; its retry was de-duplicated by id.
    for (const id of [...ids(during), ...ids(after)]) {
      expect(live.filter((seen) => seen === id)).toHaveLength(1);
      expect(later.filter((seen) => seen === id)).toHaveLength(1);
    }
  });
});
