import { ContainerModule } from 'inversify';
import { ArticleRepository } from '../../application/articles/article.repository.js';
import { CommentRepository } from '../../application/comments/comment.repository.js';
import { FavoriteRepository } from '../../application/favorites/favorite.repository.js';
import { FollowRepository } from '../../application/profiles/follow.repository.js';
import { ProfileLookup } from '../../application/profiles/profile-lookup.js';
import { ArticleReadStore } from '../../application/read-side/article.read-store.js';
import { CommentReadStore } from '../../application/read-side/comment.read-store.js';
import { NotificationInbox, NotificationWriter } from '../../application/notifications/notification-store.js';
import { EventOutbox, OutboxSignals } from '../../application/read-side/event-outbox.js';
import { ReadModelGenerations } from '../../application/read-side/read-model-generations.js';
import { ReadModelWriter } from '../../application/read-side/read-model.writer.js';
import { RelationshipReadStore } from '../../application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../application/read-side/user.read-store.js';
import { WriteModelSnapshot } from '../../application/read-side/write-model-snapshot.js';
import { CredentialStore } from '../../application/users/credential-store.js';
import { UserRepository } from '../../application/users/user.repository.js';
import { LocalOutboxSignals } from './local-outbox-signals.js';
import { InMemoryArticleReadStore } from './in-memory-article-read-store.js';
import { InMemoryArticleRepository } from './in-memory-article.repository.js';
import { InMemoryCommentReadStore } from './in-memory-comment-read-store.js';
import { InMemoryCommentRepository } from './in-memory-comment.repository.js';
import { InMemoryCredentialStore } from './in-memory-credential-store.js';
import { InMemoryEventOutbox } from './in-memory-event-outbox.js';
import { InMemoryFavoriteRepository } from './in-memory-favorite.repository.js';
import { InMemoryFollowRepository } from './in-memory-follow.repository.js';
import { InMemoryNotifications } from './in-memory-notifications.js';
import { InMemoryProfileLookup } from './in-memory-profile-lookup.js';
import { InMemoryReadModelGenerations } from './in-memory-read-model-generations.js';
import { InMemoryReadModelWriter } from './in-memory-read-model.writer.js';
import { InMemoryReadSource } from './in-memory-read-store.js';
import { InMemoryRelationshipReadStore } from './in-memory-relationship-read-store.js';
import { InMemoryUserReadStore } from './in-memory-user-read-store.js';
import { InMemoryUserRepository } from './in-memory-user.repository.js';
import { InMemoryWriteModelSnapshot } from './in-memory-write-model-snapshot.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/**
 * Every storage port on in-memory adapters: one write database (tables, outbox, queues)
 * and one read database per generation, each shared by its side's adapters.
 */
export const memoryModule = (): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(InMemoryWriteStore).toSelf();
    bind(LocalOutboxSignals).toSelf();
    bind(OutboxSignals).toService(LocalOutboxSignals);
    bind(UserRepository).to(InMemoryUserRepository);
    bind(FollowRepository).to(InMemoryFollowRepository);
    bind(ArticleRepository).to(InMemoryArticleRepository);
    bind(FavoriteRepository).to(InMemoryFavoriteRepository);
    bind(CommentRepository).to(InMemoryCommentRepository);
    bind(ProfileLookup).to(InMemoryProfileLookup);
    bind(CredentialStore).to(InMemoryCredentialStore);
    bind(EventOutbox).to(InMemoryEventOutbox);
    bind(WriteModelSnapshot).to(InMemoryWriteModelSnapshot);
    bind(InMemoryNotifications).toSelf();
    bind(NotificationWriter).toService(InMemoryNotifications);
    bind(NotificationInbox).toService(InMemoryNotifications);
    // The generations are also the source the in-memory query adapters read from.
    bind(InMemoryReadModelGenerations).toSelf();
    bind(ReadModelGenerations).toService(InMemoryReadModelGenerations);
    bind(InMemoryReadSource).toService(InMemoryReadModelGenerations);
    bind(UserReadStore).to(InMemoryUserReadStore);
    bind(ArticleReadStore).to(InMemoryArticleReadStore);
    bind(CommentReadStore).to(InMemoryCommentReadStore);
    bind(RelationshipReadStore).to(InMemoryRelationshipReadStore);
    bind(ReadModelWriter).to(InMemoryReadModelWriter);
  });
