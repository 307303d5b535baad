import { ContainerModule } from 'inversify';
import { ActiveGeneration } from '../../application/read-side/active-generation.js';
import { bindReadStore } from '../../application/read-side/read-store-bindings.js';
import { MongoArticleReadStore } from './mongo-article-read-store.js';
import { MongoCommentReadStore } from './mongo-comment-read-store.js';
import { MongoActiveCollections, MongoReadDatabase } from './mongo-read-database.js';
import { MongoReadModelGenerations } from './mongo-read-model-generations.js';
import { MongoReadModelWriter } from './mongo-read-model.writer.js';
import { MongoOrmToken, type MongoOrm } from './mongo-read-orm.js';
import { MongoRelationshipReadStore } from './mongo-relationship-read-store.js';
import { MongoUserReadStore } from './mongo-user-read-store.js';

/**
 * The MongoDB read store, every port of the read side bound to it, over one opened
 * connection (createMongoReadOrm; the caller closes it). Load it into a container whose
 * default scope is Singleton: one ActiveGeneration per process is what lets a swap reach
 * every query adapter and the live writer together.
 */
export function mongoReadStoreModule(orm: MongoOrm): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<MongoOrm>(MongoOrmToken).toConstantValue(orm);
    bind(MongoReadDatabase).toSelf();
    bind(MongoActiveCollections).toSelf();
    bind(ActiveGeneration).toSelf();
    bindReadStore(bind, {
      generations: MongoReadModelGenerations,
      writer: MongoReadModelWriter,
      users: MongoUserReadStore,
      articles: MongoArticleReadStore,
      comments: MongoCommentReadStore,
      relationships: MongoRelationshipReadStore,
    });
  });
}
