import { describe } from 'vitest';
import { writeSideIn } from '../../support/write-side-modules.js';
import { writeSideContracts } from './all.contract.js';

describe('write side in memory', () => {
  // A new container per test is the in-memory twin of an emptied database.
  writeSideContracts(async () => writeSideIn('memory').side);
});
