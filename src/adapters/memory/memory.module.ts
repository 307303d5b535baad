import { ContainerModule } from 'inversify';
import { OutboxSignals } from '../../application/read-side/event-outbox.js';
import { bindReadStore } from '../../application/read-side/read-store-bindings.js';
import { bindWriteSide } from '../../application/shared/write-side-bindings.js';
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
import { InMemoryExternalIdentities } from './in-memory-external-identities.js';
import { InMemoryIdempotency } from './in-memory-idempotency.js';

/**
 * Every storage port on in-memory adapters: one write database (tables, outbox, queues)
 * and one read database per generation, each shared by its side's adapters.
 */
export const memoryModule = (): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(InMemoryWriteStore).toSelf();
    bind(LocalOutboxSignals).toSelf();
    bind(OutboxSignals).toService(LocalOutboxSignals);
    bindWriteSide(bind, {
      users: InMemoryUserRepository,
      follows: InMemoryFollowRepository,
      articles: InMemoryArticleRepository,
      favorites: InMemoryFavoriteRepository,
      comments: InMemoryCommentRepository,
      profiles: InMemoryProfileLookup,
      credentials: InMemoryCredentialStore,
      outbox: InMemoryEventOutbox,
      externalIdentities: InMemoryExternalIdentities,
      idempotency: InMemoryIdempotency,
      snapshot: InMemoryWriteModelSnapshot,
      notifications: InMemoryNotifications,
    });
    bindReadStore(bind, {
      generations: InMemoryReadModelGenerations,
      writer: InMemoryReadModelWriter,
      users: InMemoryUserReadStore,
      articles: InMemoryArticleReadStore,
      comments: InMemoryCommentReadStore,
      relationships: InMemoryRelationshipReadStore,
    });
    // The generations are also the source the in-memory query adapters read from.
    bind(InMemoryReadSource).toService(InMemoryReadModelGenerations);
  });
