import type { ArticleEvent } from './articles/article.events.js';
import type { CommentEvent } from './comments/comment.events.js';
import type { FavoriteEvent } from './favorites/favorite.events.js';
import type { FollowEvent } from './follows/follow.events.js';
import type { UserEvent } from './users/user.events.js';

/** Every event the Conduit domain can record. */
export type ConduitEvent = UserEvent | FollowEvent | ArticleEvent | FavoriteEvent | CommentEvent;
export type ConduitEventType = ConduitEvent['type'];

export const CONDUIT_EVENT_TYPES: readonly ConduitEventType[] = [
  'UserRegistered',
  'UserUpdated',
  'UserFollowed',
  'UserUnfollowed',
  'ArticlePublished',
  'ArticleUpdated',
  'ArticleDeleted',
  'ArticleFavorited',
  'ArticleUnfavorited',
  'CommentAdded',
  'CommentDeleted',
  'UserRoleGranted',
  'UserRoleRevoked',
  'UserTokensRevoked',
];

export type { ArticleEvent, CommentEvent, FavoriteEvent, FollowEvent, UserEvent };
