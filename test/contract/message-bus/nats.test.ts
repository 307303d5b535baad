import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { describe } from 'vitest';
import { openNatsMessageBus } from '../../../src/adapters/nats/nats-message-bus.js';
import { natsNames } from '../../../src/adapters/nats/nats-names.js';
import { nats } from './brokers.js';
import { messageBusContract } from './message-bus.contract.js';

/** The shared server (NATS 2.9 with JetStream); a unique prefix per run, deleted afterwards. */
const broker = await nats();
const url = broker.url;

describe.skipIf(!broker.available)('message bus on NATS JetStream', () => {
  messageBusContract(async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const logger = pino({ level: 'silent' });
    return {
      open: () => openNatsMessageBus({ url, prefix, logger, shutdownGraceMs: 200 }),
      cleanup: async () => {
        const nc = await connect({ servers: url });
        const jsm = await jetstreamManager(nc);
        const names = natsNames(prefix);
        for (const stream of [names.eventStream, names.deadLetterStream]) await jsm.streams.delete(stream).catch(() => false);
        await nc.close();
      },
    };
  });
});
