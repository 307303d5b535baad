import { describe } from 'vitest';
import { InMemoryBroker, InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import { messageBusContract } from './message-bus.contract.js';

describe('message bus in memory', () => {
  messageBusContract(async () => {
    const broker = new InMemoryBroker();
    return {
      open: async () => new InMemoryMessageBus(broker, 200),
      cleanup: async () => undefined,
    };
  });
});
