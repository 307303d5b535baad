import { describe } from 'vitest';
import { InMemoryReadModelGenerations } from '../../../src/adapters/memory/in-memory-read-model-generations.js';
import { memoryReadSide } from '../../support/read-side-modules.js';
import { readModelGenerationsContract } from './read-model-generations.contract.js';

describe('in-memory read-model generations', () => {
  readModelGenerationsContract(async () => {
    const side = memoryReadSide();
    const memory = side.container.get(InMemoryReadModelGenerations);
    return {
      store: side.generations,
      active: side.active,
      stores: side.stores,
      loseData: async (generation) => memory.loseData(generation),
    };
  });
});
