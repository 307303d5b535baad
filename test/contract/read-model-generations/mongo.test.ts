import { afterAll, beforeAll, describe } from 'vitest';
import {
  forgetEveryGeneration,
  loseGenerationData,
  mongoReadSide,
  mongoSource,
  openTestMongo,
  type TestMongo,
} from '../../support/mongo.js';
import { readModelGenerationsContract } from './read-model-generations.contract.js';

describe(`MongoDB read-model generations (${mongoSource()})`, () => {
  let mongo: TestMongo;
  beforeAll(async () => {
    mongo = await openTestMongo('generations_contract');
  });
  afterAll(async () => mongo?.close());

  readModelGenerationsContract(async () => {
    // A database no read store ever used, and a new process's worth of adapters.
    const side = mongoReadSide(mongo.orm);
    await forgetEveryGeneration(side.db);
    return {
      store: side.generations,
      active: side.active,
      stores: side,
      // What a MongoDB restarted empty, or a dropped generation, leaves: no data, no marker.
      loseData: (generation) => loseGenerationData(side.db, generation),
    };
  });
});
