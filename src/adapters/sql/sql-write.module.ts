import { ContainerModule } from 'inversify';
import { ArticleRepository } from '../../application/articles/article.repository.js';
import { CommentRepository } from '../../application/comments/comment.repository.js';
import { FavoriteRepository } from '../../application/favorites/favorite.repository.js';
import { FollowRepository } from '../../application/profiles/follow.repository.js';
import { ProfileLookup } from '../../application/profiles/profile-lookup.js';
import { NotificationInbox, NotificationWriter } from '../../application/notifications/notification-store.js';
import { EventOutbox, OutboxSignals } from '../../application/read-side/event-outbox.js';
import { WriteModelSnapshot } from '../../application/read-side/write-model-snapshot.js';
import { CredentialStore } from '../../application/users/credential-store.js';
import { UserRepository } from '../../application/users/user.repository.js';
import { SqlNotifications } from './notifications/sql-notifications.js';
import { SqlEventOutbox } from './outbox/sql-event-outbox.js';
import { SqlDatabase } from './sql-database.js';
import { SqlArticleRepository } from './write/sql-article.repository.js';
import { SqlCommentRepository } from './write/sql-comment.repository.js';
import { SqlCredentialStore } from './write/sql-credential-store.js';
import { SqlFavoriteRepository } from './write/sql-favorite.repository.js';
import { SqlFollowRepository } from './write/sql-follow.repository.js';
import { SqlProfileLookup } from './write/sql-profile-lookup.js';
import { SqlUserRepository } from './write/sql-user.repository.js';
import { SqlWriteContext } from './write/sql-write-context.js';
import { SqlWriteModelSnapshot } from './write/sql-write-model-snapshot.js';

/**
 * The write side on PostgreSQL or PGlite: repositories, the outbox and its signals (LISTEN/
 * NOTIFY on PostgreSQL, in-process on the single-process PGlite), the write model's
 * listings for rebuilds. The database is opened (and migrated) by the composition root.
 */
export const sqlWriteModule = (db: SqlDatabase, signals: OutboxSignals): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(SqlDatabase).toConstantValue(db);
    bind(OutboxSignals).toConstantValue(signals);
    bind(SqlWriteContext).toSelf();
    bind(UserRepository).to(SqlUserRepository);
    bind(FollowRepository).to(SqlFollowRepository);
    bind(ArticleRepository).to(SqlArticleRepository);
    bind(FavoriteRepository).to(SqlFavoriteRepository);
    bind(CommentRepository).to(SqlCommentRepository);
    bind(ProfileLookup).to(SqlProfileLookup);
    bind(CredentialStore).to(SqlCredentialStore);
    bind(EventOutbox).to(SqlEventOutbox);
    bind(WriteModelSnapshot).to(SqlWriteModelSnapshot);
    bind(SqlNotifications).toSelf();
    bind(NotificationWriter).toService(SqlNotifications);
    bind(NotificationInbox).toService(SqlNotifications);
  });
