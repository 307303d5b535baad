import { afterAll, beforeAll, describe } from 'vitest';
import { MongoArticleReadStore } from '../../../src/adapters/mongodb/mongo-article-read-store.js';
import { MongoCommentReadStore } from '../../../src/adapters/mongodb/mongo-comment-read-store.js';
import { MongoReadDatabase } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { MongoReadModelStore } from '../../../src/adapters/mongodb/mongo-read-model.store.js';
import { MongoReadModelWriter } from '../../../src/adapters/mongodb/mongo-read-model.writer.js';
import { MongoRelationshipReadStore } from '../../../src/adapters/mongodb/mongo-relationship-read-store.js';
import { MongoUserReadStore } from '../../../src/adapters/mongodb/mongo-user-read-store.js';
import { openTestMongo, type TestMongo } from '../../support/mongo.js';
import { readStoreContracts } from './read-store.contract.js';
import type { ReadStores } from './read-store.fixtures.js';

const mongoStores = (db: MongoReadDatabase): ReadStores => ({
  writer: new MongoReadModelWriter(db),
  users: new MongoUserReadStore(db),
  articles: new MongoArticleReadStore(db),
  comments: new MongoCommentReadStore(db),
  relationships: new MongoRelationshipReadStore(db),
});

describe(`MongoDB read store (${process.env.MONGO_URL ? 'MONGO_URL' : 'emulator'})`, () => {
  let mongo: TestMongo | undefined;
  let stores: ReadStores | undefined;

  beforeAll(async () => {
    mongo = await openTestMongo('read_store_contract');
    const db = new MongoReadDatabase(mongo.orm);
    const admin = new MongoReadModelStore(db);
    await admin.prepare('g1');
    await admin.activate('g1', 0);
    stores = mongoStores(db);
  });
  afterAll(async () => mongo?.close());

  readStoreContracts(async () => {
    if (!stores) throw new Error('the MongoDB read store did not open');
    // The live writer and the stores all use the active generation; emptied with deletes,
    // which every server (and the emulator, which lacks drop) supports.
    await stores.writer.clear();
    return stores;
  });
});
