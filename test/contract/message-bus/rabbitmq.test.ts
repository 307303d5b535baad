import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { pino } from 'pino';
import { describe } from 'vitest';
import { openRabbitMqMessageBus } from '../../../src/adapters/rabbitmq/rabbitmq-message-bus.js';
import { rabbitNames } from '../../../src/adapters/rabbitmq/rabbitmq-topology.js';
import { rabbitmq } from './brokers.js';
import { messageBusContract } from './message-bus.contract.js';

/** The shared broker (RabbitMQ 3.10); a unique prefix per run, its queues and exchanges deleted afterwards. */
const broker = await rabbitmq();
const url = broker.url;

describe.skipIf(!broker.available)('message bus on RabbitMQ', () => {
  messageBusContract(async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const logger = pino({ level: 'silent' });
    return {
      open: () => openRabbitMqMessageBus({ url, prefix, logger, shutdownGraceMs: 200 }),
      cleanup: async (consumers) => {
        const names = rabbitNames(prefix);
        const connection = await amqp.connect(url);
        const channel = await connection.createChannel();
        for (const consumer of consumers) {
          await channel.deleteQueue(names.queueOf(consumer));
          await channel.deleteQueue(names.deadLetterQueueOf(consumer));
        }
        await channel.deleteExchange(names.exchange);
        await channel.deleteExchange(names.deadLetterExchange);
        await connection.close();
      },
    };
  });
});
