import { MongoArticleReadStore } from '../../../src/adapters/mongodb/mongo-article-read-store.js';
import { MongoCommentReadStore } from '../../../src/adapters/mongodb/mongo-comment-read-store.js';
import { MongoReadDatabase } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { MongoReadModelStore } from '../../../src/adapters/mongodb/mongo-read-model.store.js';
import { MongoReadModelWriter } from '../../../src/adapters/mongodb/mongo-read-model.writer.js';
import type { MongoOrm } from '../../../src/adapters/mongodb/mongo-read-orm.js';
import { MongoRelationshipReadStore } from '../../../src/adapters/mongodb/mongo-relationship-read-store.js';
import { MongoUserReadStore } from '../../../src/adapters/mongodb/mongo-user-read-store.js';
import type { ReadStores } from '../../contract/read-store/read-store.fixtures.js';

/** Everything of the Mongo read side over one connection, as the container would build it. */
export interface MongoSide extends ReadStores {
  readonly db: MongoReadDatabase;
  readonly admin: MongoReadModelStore;
}

export const mongoSide = (orm: MongoOrm): MongoSide => {
  const db = new MongoReadDatabase(orm);
  return {
    db,
    admin: new MongoReadModelStore(db),
    writer: new MongoReadModelWriter(db),
    users: new MongoUserReadStore(db),
    articles: new MongoArticleReadStore(db),
    comments: new MongoCommentReadStore(db),
    relationships: new MongoRelationshipReadStore(db),
  };
};

/** Prepares and activates `generation` (idempotent) and empties it. */
export async function freshGeneration(side: MongoSide, generation = 'g1'): Promise<void> {
  await side.admin.prepare(generation);
  if ((await side.admin.activeGeneration()) !== generation) await side.admin.activate(generation, 0);
  await side.writer.clear();
}
