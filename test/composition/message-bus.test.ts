import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import amqp from 'amqplib';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { natsNames } from '../../src/adapters/nats/nats-names.js';
import { openMessageBus } from '../../src/composition/message-bus.js';
import { rabbitNames } from '../../src/adapters/rabbitmq/rabbitmq-topology.js';
import { MessageBusError } from '../../src/application/integration/message-bus.js';
import { nats, rabbitmq } from '../contract/message-bus/brokers.js';

const [natsBroker, rabbitBroker] = [await nats(), await rabbitmq()];
const logger = pino({ level: 'silent' });
const prefix = `t${randomUUID().slice(0, 8)}`;

describe('openMessageBus', () => {
  it.skipIf(!natsBroker.available)('opens NATS JetStream for nats:// URLs', async () => {
    const bus = await openMessageBus({ url: natsBroker.url, logger, prefix });
    expect(bus.kind).toBe('nats');
    await bus.close();
    const nc = await connect({ servers: natsBroker.url });
    const jsm = await jetstreamManager(nc);
    for (const stream of [natsNames(prefix).eventStream, natsNames(prefix).deadLetterStream]) expect(await jsm.streams.delete(stream)).toBe(true);
    await nc.close();
  });

  it.skipIf(!rabbitBroker.available)('opens RabbitMQ for amqp:// URLs', async () => {
    const bus = await openMessageBus({ url: rabbitBroker.url, logger, prefix });
    expect(bus.kind).toBe('rabbitmq');
    await bus.close();
    const connection = await amqp.connect(rabbitBroker.url);
    const channel = await connection.createChannel();
    await channel.deleteExchange(rabbitNames(prefix).exchange);
    await channel.deleteExchange(rabbitNames(prefix).deadLetterExchange);
    await connection.close();
  });

  it('fails at once, with the reason, when the broker cannot be reached or the URL names none', async () => {
    await expect(openMessageBus({ url: 'nats://127.0.0.1:1', logger })).rejects.toThrow(MessageBusError);
    await expect(openMessageBus({ url: 'amqp://guest:secret@127.0.0.1:1', logger })).rejects.toThrow(/cannot connect to RabbitMQ at amqp:\/\/guest:\*\*\*@/);
    await expect(openMessageBus({ url: 'redis://127.0.0.1:6379', logger })).rejects.toThrow(RangeError);
    await expect(openMessageBus({ url: 'nats://127.0.0.1:1', logger, prefix: 'has.dot' })).rejects.toThrow(RangeError);
  });
});
