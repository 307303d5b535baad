import { describe } from 'vitest';
import { writeSideIn } from '../../support/write-side-modules.js';
import { writeModelSnapshotContract } from './write-model-snapshot.contract.js';

describe('in-memory write-model snapshot', () => {
  writeModelSnapshotContract(async () => writeSideIn('memory').side);
});
