import { describe } from 'vitest';
import { ensureActiveGeneration } from '../../../src/application/read-side/active-generation.js';
import { memoryReadSide } from '../../support/read-side-modules.js';
import { readStoreContracts } from './read-store.contract.js';

describe('in-memory read store', () => {
  // Wired from the memory module: every adapter follows the store's active generation.
  readStoreContracts(async () => {
    const side = memoryReadSide();
    await ensureActiveGeneration(side.generations);
    return side.stores;
  });
});
