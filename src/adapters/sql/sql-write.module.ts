import { ContainerModule } from 'inversify';
import { OutboxSignals } from '../../application/read-side/event-outbox.js';
import { bindWriteSide } from '../../application/shared/write-side-bindings.js';
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
import { SqlExternalIdentities } from './write/sql-external-identities.js';
import { SqlIdempotency } from './write/sql-idempotency.js';

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
    bindWriteSide(bind, {
      users: SqlUserRepository,
      follows: SqlFollowRepository,
      articles: SqlArticleRepository,
      favorites: SqlFavoriteRepository,
      comments: SqlCommentRepository,
      profiles: SqlProfileLookup,
      credentials: SqlCredentialStore,
      outbox: SqlEventOutbox,
      externalIdentities: SqlExternalIdentities,
      idempotency: SqlIdempotency,
      snapshot: SqlWriteModelSnapshot,
      notifications: SqlNotifications,
    });
  });
