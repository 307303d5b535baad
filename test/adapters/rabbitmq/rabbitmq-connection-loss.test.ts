import { randomUUID } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import amqp from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRabbitMqMessageBus } from '../../../src/adapters/rabbitmq/rabbitmq-message-bus.js';
import { rabbitNames } from '../../../src/adapters/rabbitmq/rabbitmq-topology.js';
import { toIntegrationEvent, type IntegrationEvent } from '../../../src/application/integration/integration-events.js';
import { MessageBusError, type MessageBus } from '../../../src/application/integration/message-bus.js';
import { rabbitmq } from '../../contract/message-bus/brokers.js';

/**
 * The shared RabbitMQ cannot be killed, so the test cuts the network instead: the bus talks
 * to it through a TCP proxy of the test's own that drops every connection and refuses new
 * ones while "down".
 */
const BROKER = await rabbitmq();

class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(BROKER.port, BROKER.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address === 'object' && address !== null) this.port = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  }
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
/** The broker's URL (credentials, vhost) with the proxy's address. */
function throughProxy(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

const batch = (n: number) => Array.from({ length: n }, registered);
const ids = (events: IntegrationEvent[]) => events.map((e) => e.id);

describe.skipIf(!BROKER.available)('RabbitMQ message bus across a lost connection', () => {
  const proxy = new CuttableProxy();
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const consumer = 'reconnecting';
  let bus: MessageBus | null = null;

  beforeAll(() => proxy.up());
  afterAll(async () => {
    await bus?.close();
    await proxy.down();
    const names = rabbitNames(prefix);
    const connection = await amqp.connect(BROKER.url);
    const channel = await connection.createChannel();
    await channel.deleteQueue(names.queueOf(consumer));
    await channel.deleteQueue(names.deadLetterQueueOf(consumer));
    await channel.deleteExchange(names.exchange);
    await channel.deleteExchange(names.deadLetterExchange);
    await connection.close();
  });

  it('rejects publishes while cut off, then reconnects, publishes again and resumes its consumers', async () => {
    bus = await openRabbitMqMessageBus({
      url: throughProxy(BROKER.url, proxy.port),
      prefix,
      logger: pino({ level: 'silent' }),
      publishTimeoutMs: 1500,
      shutdownGraceMs: 200,
    });
    const handled: string[] = [];
    await bus.consumer.consume({ name: consumer, maxDeliveries: 5, ackTimeoutMs: 5000 }, async (d) => void handled.push(d.event.id));

    const before = batch(5);
    await bus.publisher.publish(before);
    await eventually(() => expect(handled).toEqual(expect.arrayContaining(ids(before))));

    await proxy.down();
    const during = batch(3);
    await expect(bus.publisher.publish(during)).rejects.toBeInstanceOf(MessageBusError);

    await proxy.up();
    await eventually(() => bus!.publisher.publish(during));
    const after = batch(3);
    await bus.publisher.publish(after);
    await eventually(() => expect(handled).toEqual(expect.arrayContaining([...ids(before), ...ids(during), ...ids(after)])));
  });
});
