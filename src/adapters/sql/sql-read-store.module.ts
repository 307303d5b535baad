import { ContainerModule } from 'inversify';
import { ActiveGeneration } from '../../application/read-side/active-generation.js';
import { bindReadStore } from '../../application/read-side/read-store-bindings.js';
import { SqlArticleReadStore } from './read/sql-article-read-store.js';
import { SqlCommentReadStore } from './read/sql-comment-read-store.js';
import { SqlReadContext } from './read/sql-read-context.js';
import { SqlReadModelGenerations } from './read/sql-read-model-generations.js';
import { LiveSqlReadModelWriter } from './read/sql-read-model.writer.js';
import { SqlRelationshipReadStore } from './read/sql-relationship-read-store.js';
import { SqlUserReadStore } from './read/sql-user-read-store.js';

/**
 * The SQL read store, in the write model's database (one schema per generation), on the
 * SqlDatabase the write module binds.
 */
export const sqlReadStoreModule = (): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(ActiveGeneration).toSelf();
    bind(SqlReadContext).toSelf();
    bindReadStore(bind, {
      generations: SqlReadModelGenerations,
      writer: LiveSqlReadModelWriter,
      users: SqlUserReadStore,
      articles: SqlArticleReadStore,
      comments: SqlCommentReadStore,
      relationships: SqlRelationshipReadStore,
    });
  });
