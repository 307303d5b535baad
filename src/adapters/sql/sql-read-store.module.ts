import { ContainerModule } from 'inversify';
import { ActiveGeneration } from '../../application/read-side/active-generation.js';
import { ArticleReadStore } from '../../application/read-side/article.read-store.js';
import { CommentReadStore } from '../../application/read-side/comment.read-store.js';
import { ReadModelGenerations } from '../../application/read-side/read-model-generations.js';
import { ReadModelWriter } from '../../application/read-side/read-model.writer.js';
import { RelationshipReadStore } from '../../application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../application/read-side/user.read-store.js';
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
    bind(ReadModelGenerations).to(SqlReadModelGenerations);
    bind(ReadModelWriter).to(LiveSqlReadModelWriter);
    bind(UserReadStore).to(SqlUserReadStore);
    bind(ArticleReadStore).to(SqlArticleReadStore);
    bind(CommentReadStore).to(SqlCommentReadStore);
    bind(RelationshipReadStore).to(SqlRelationshipReadStore);
  });
