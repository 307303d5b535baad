import type { Bind, Newable } from 'inversify';
import { ArticleRepository } from '../articles/article.repository.js';
import { CommentRepository } from '../comments/comment.repository.js';
import { FavoriteRepository } from '../favorites/favorite.repository.js';
import { FollowRepository } from '../profiles/follow.repository.js';
import { IdempotencyStore } from './idempotency.js';
import { NotificationInbox, NotificationWriter } from '../notifications/notification-store.js';
import { ProfileLookup } from '../profiles/profile-lookup.js';
import { EventOutbox } from '../read-side/event-outbox.js';
import { WriteModelSnapshot } from '../read-side/write-model-snapshot.js';
import { CredentialStore } from '../users/credential-store.js';
import { ExternalIdentityStore } from '../users/external-identity-store.js';
import { UserRepository } from '../users/user.repository.js';

/** The classes one storage technology implements the write side's ports with; the compiler checks each. */
export interface WriteSideAdapters {
  readonly users: Newable<UserRepository>;
  readonly follows: Newable<FollowRepository>;
  readonly articles: Newable<ArticleRepository>;
  readonly favorites: Newable<FavoriteRepository>;
  readonly comments: Newable<CommentRepository>;
  readonly profiles: Newable<ProfileLookup>;
  readonly credentials: Newable<CredentialStore>;
  readonly outbox: Newable<EventOutbox>;
  /** The write model's listings for rebuilds. */
  readonly snapshot: Newable<WriteModelSnapshot>;
  /** Links of OpenID provider identities to local users. */
  readonly externalIdentities: Newable<ExternalIdentityStore>;
  /** Each user's notifications and the notifier's inbox: one class serves both ports. */
  readonly notifications: Newable<NotificationWriter & NotificationInbox>;
  /** Claims of `Idempotency-Key`s and the answers kept for them. */
  readonly idempotency: Newable<IdempotencyStore>;
}

/** Binds every port of the write side to its adapter: the one list of those ports. */
export function bindWriteSide(bind: Bind, adapters: WriteSideAdapters): void {
  bind(UserRepository).to(adapters.users);
  bind(FollowRepository).to(adapters.follows);
  bind(ArticleRepository).to(adapters.articles);
  bind(FavoriteRepository).to(adapters.favorites);
  bind(CommentRepository).to(adapters.comments);
  bind(ProfileLookup).to(adapters.profiles);
  bind(CredentialStore).to(adapters.credentials);
  bind(EventOutbox).to(adapters.outbox);
  bind(WriteModelSnapshot).to(adapters.snapshot);
  bind(ExternalIdentityStore).to(adapters.externalIdentities);
  bind(IdempotencyStore).to(adapters.idempotency);
  bind(adapters.notifications).toSelf();
  bind(NotificationWriter).toService(adapters.notifications);
  bind(NotificationInbox).toService(adapters.notifications);
}
