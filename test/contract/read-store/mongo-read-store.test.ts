import { afterAll, beforeAll, describe } from 'vitest';
import { emptyGeneration } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { ensureActiveGeneration } from '../../../src/application/read-side/active-generation.js';
import { mongoReadSide, mongoSource, openTestMongo, type MongoReadSide, type TestMongo } from '../../support/mongo.js';
import { readStoreContracts } from './read-store.contract.js';

describe(`MongoDB read store (${mongoSource()})`, () => {
  let mongo: TestMongo | undefined;
  let side: MongoReadSide | undefined;

  beforeAll(async () => {
    mongo = await openTestMongo('read_store_contract');
    // Wired as the application wires it: the module, every adapter on the active generation.
    side = mongoReadSide(mongo.orm);
    await ensureActiveGeneration(side.generations);
  });
  afterAll(async () => mongo?.close());

  readStoreContracts(async () => {
    if (!side) throw new Error('the MongoDB read store did not open');
    // Emptied with deletes, which every server (and the emulator, which lacks drop) supports.
    await emptyGeneration(side.db.collections(await side.active.current()));
    return side;
  });
});
