import type {
  ArticleEvent,
  CommentEvent,
  ConduitEvent,
  FavoriteEvent,
  FollowEvent,
  UserEvent,
} from '../../domain/index.js';

/**
 * Integration events: the PUBLIC, versioned contract other systems consume (docs/events.md).
 * Domain events stay internal; every field below is mapped explicitly, so renaming a domain
 * field breaks this file's compilation instead of silently changing what consumers receive.
 *
 * The envelope is a CloudEvents 1.0 event in structured JSON mode, plus one extension
 * attribute, `aggregateversion`, so that consumers can order and de-duplicate per subject.
 */
export interface IntegrationEvent<T extends IntegrationEventType = IntegrationEventType> {
  readonly specversion: '1.0';
  /** Stable: the same domain event always maps to the same id (see `integrationEventId`). */
  readonly id: string;
  readonly source: string;
  readonly type: T;
  /** The aggregate the event is about, e.g. `articles/0190…`. */
  readonly subject: string;
  /** When the domain event occurred (ISO-8601, UTC). */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /** The version of `subject` this event produced: 1, 2, 3, … with no gaps per subject. */
  readonly aggregateversion: number;
  readonly data: IntegrationEventData[T];
}

export const INTEGRATION_SOURCE = '/conduit';

export interface UserProfileData {
  readonly userId: string;
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

export interface ArticleData {
  readonly articleId: string;
  readonly authorId: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What each integration event type carries. Adding an optional field is compatible; anything else is a new version. */
export interface IntegrationEventData {
  'conduit.user.registered.v1': UserProfileData;
  'conduit.user.updated.v1': UserProfileData & { readonly previousUsername: string };
  'conduit.user.followed.v1': { readonly followerId: string; readonly followeeId: string };
  'conduit.user.unfollowed.v1': { readonly followerId: string; readonly followeeId: string };
  'conduit.article.published.v1': ArticleData;
  'conduit.article.updated.v1': ArticleData & { readonly previousSlug: string };
  'conduit.article.deleted.v1': {
    readonly articleId: string;
    readonly authorId: string;
    readonly slug: string;
  };
  'conduit.article.favorited.v1': { readonly userId: string; readonly articleId: string };
  'conduit.article.unfavorited.v1': { readonly userId: string; readonly articleId: string };
  'conduit.comment.added.v1': {
    readonly commentId: number;
    readonly articleId: string;
    readonly authorId: string;
    readonly body: string;
    readonly createdAt: string;
  };
  'conduit.comment.deleted.v1': { readonly commentId: number; readonly articleId: string; readonly authorId: string };
  'conduit.role.granted.v1': { readonly userId: string; readonly role: string };
  'conduit.role.revoked.v1': { readonly userId: string; readonly role: string; readonly previousRole: string };
  'conduit.sessions.revoked.v1': { readonly userId: string; readonly validFrom: string };
}

export type IntegrationEventType = keyof IntegrationEventData;

/** Every type, in the order docs/events.md lists them. */
export const INTEGRATION_EVENT_TYPES: readonly IntegrationEventType[] = [
  'conduit.user.registered.v1',
  'conduit.user.updated.v1',
  'conduit.user.followed.v1',
  'conduit.user.unfollowed.v1',
  'conduit.article.published.v1',
  'conduit.article.updated.v1',
  'conduit.article.deleted.v1',
  'conduit.article.favorited.v1',
  'conduit.article.unfavorited.v1',
  'conduit.comment.added.v1',
  'conduit.comment.deleted.v1',
  'conduit.role.granted.v1',
  'conduit.role.revoked.v1',
  'conduit.sessions.revoked.v1',
];

/**
 * The public name of each aggregate kind, in subjects and ids. Written out rather than
 * derived from `aggregateType`, so renaming a domain class does not change the contract.
 */
const SUBJECT_KIND = {
  User: 'users',
  Follow: 'follows',
  Article: 'articles',
  Favorite: 'favorites',
  Comment: 'comments',
} as const;

function user(event: Extract<UserEvent, { type: 'UserRegistered' | 'UserUpdated' }>): IntegrationEvent {
  const { userId, username, bio, image } = event.payload;
  // E-mail is personal data that no consumer needs to react to a profile; it stays out (docs/events.md).
  const profile = { userId, username, bio, image };
  if (event.type === 'UserRegistered') return envelope(event, 'users', 'conduit.user.registered.v1', profile);
  return envelope(event, 'users', 'conduit.user.updated.v1', {
    ...profile,
    previousUsername: event.payload.previousUsername,
  });
}

/** Who changed a role is left out: an admin's id is internal, and consumers react to the role, not to its author. */
function access(event: Extract<UserEvent, { type: 'UserRoleGranted' | 'UserRoleRevoked' | 'UserTokensRevoked' }>): IntegrationEvent {
  const { userId } = event.payload;
  switch (event.type) {
    case 'UserRoleGranted':
      return envelope(event, 'users', 'conduit.role.granted.v1', { userId, role: event.payload.role });
    case 'UserRoleRevoked':
      return envelope(event, 'users', 'conduit.role.revoked.v1', {
        userId,
        role: event.payload.role,
        previousRole: event.payload.previousRole,
      });
    case 'UserTokensRevoked':
      return envelope(event, 'users', 'conduit.sessions.revoked.v1', { userId, validFrom: event.payload.validFrom });
  }
}

function follow(event: FollowEvent): IntegrationEvent {
  const data = { followerId: event.payload.followerId, followeeId: event.payload.followeeId };
  const type = event.type === 'UserFollowed' ? 'conduit.user.followed.v1' : 'conduit.user.unfollowed.v1';
  return envelope(event, 'follows', type, data);
}

function article(event: ArticleEvent): IntegrationEvent {
  if (event.type === 'ArticleDeleted') {
    const { articleId, authorId, slug } = event.payload;
    return envelope(event, 'articles', 'conduit.article.deleted.v1', { articleId, authorId, slug });
  }
  const p = event.payload;
  const data: ArticleData = {
    articleId: p.articleId,
    authorId: p.authorId,
    slug: p.slug,
    title: p.title,
    description: p.description,
    body: p.body,
    tagList: [...p.tagList],
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
  if (event.type === 'ArticlePublished') return envelope(event, 'articles', 'conduit.article.published.v1', data);
  return envelope(event, 'articles', 'conduit.article.updated.v1', { ...data, previousSlug: event.payload.previousSlug });
}

function favorite(event: FavoriteEvent): IntegrationEvent {
  const data = { userId: event.payload.userId, articleId: event.payload.articleId };
  const type = event.type === 'ArticleFavorited' ? 'conduit.article.favorited.v1' : 'conduit.article.unfavorited.v1';
  return envelope(event, 'favorites', type, data);
}

function comment(event: CommentEvent): IntegrationEvent {
  if (event.type === 'CommentDeleted') {
    const { commentId, articleId, authorId } = event.payload;
    return envelope(event, 'comments', 'conduit.comment.deleted.v1', { commentId, articleId, authorId });
  }
  const { commentId, articleId, authorId, body, createdAt } = event.payload;
  return envelope(event, 'comments', 'conduit.comment.added.v1', { commentId, articleId, authorId, body, createdAt });
}

/**
 * The id of the integration event for one domain event: its type, subject and version. The
 * outbox holds (aggregate type, aggregate id, version) unique, so ids are unique; and they
 * are derived, never generated, so republishing the same outbox row yields the same id.
 * The type is part of it so that a future v2 published beside v1 gets ids of its own.
 */
function integrationEventId(type: IntegrationEventType, subject: string, version: number): string {
  return `${type}:${subject}:${version}`;
}

function envelope<T extends IntegrationEventType>(
  event: ConduitEvent,
  kind: (typeof SUBJECT_KIND)[keyof typeof SUBJECT_KIND],
  type: T,
  data: IntegrationEventData[T],
): IntegrationEvent<T> {
  const subject = `${kind}/${event.aggregateId}`;
  return {
    specversion: '1.0',
    id: integrationEventId(type, subject, event.version),
    source: INTEGRATION_SOURCE,
    type,
    subject,
    time: event.occurredAt.toISOString(),
    datacontenttype: 'application/json',
    aggregateversion: event.version,
    data,
  };
}

/** The integration event for a domain event. Pure and total over ConduitEvent. */
export function toIntegrationEvent(event: ConduitEvent): IntegrationEvent {
  switch (event.type) {
    case 'UserRegistered':
    case 'UserUpdated':
      return user(event);
    case 'UserRoleGranted':
    case 'UserRoleRevoked':
    case 'UserTokensRevoked':
      return access(event);
    case 'UserFollowed':
    case 'UserUnfollowed':
      return follow(event);
    case 'ArticlePublished':
    case 'ArticleUpdated':
    case 'ArticleDeleted':
      return article(event);
    case 'ArticleFavorited':
    case 'ArticleUnfavorited':
      return favorite(event);
    case 'CommentAdded':
    case 'CommentDeleted':
      return comment(event);
    default: {
      const unknown: never = event;
      throw new Error(`no integration event for domain event ${(unknown as ConduitEvent).type}`);
    }
  }
}

export class MalformedIntegrationEvent extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks the envelope of a received message (the body of a broker message). It does not
 * check `data` against the type's schema: consumers read only the fields they know, and a
 * producer may add optional fields (docs/events.md). Unknown types pass: filtering is the
 * consumer's choice. Throws MalformedIntegrationEvent (a bad message, not a bug here).
 */
export function parseIntegrationEvent(text: string): IntegrationEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedIntegrationEvent('not JSON');
  }
  if (!isRecord(value)) throw new MalformedIntegrationEvent('not a JSON object');
  if (value['specversion'] !== '1.0') throw new MalformedIntegrationEvent('specversion is not 1.0');
  for (const field of ['id', 'source', 'type', 'subject', 'time'] as const)
    if (typeof value[field] !== 'string' || value[field] === '') throw new MalformedIntegrationEvent(`${field} is missing`);
  if (!Number.isSafeInteger(value['aggregateversion'])) throw new MalformedIntegrationEvent('aggregateversion is missing');
  if (!isRecord(value['data'])) throw new MalformedIntegrationEvent('data is not an object');
  return value as unknown as IntegrationEvent;
}
