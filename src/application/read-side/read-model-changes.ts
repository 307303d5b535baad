import type {
  ArticleSnapshotPayload,
  CommentAddedPayload,
  ConduitEvent,
  FavoritePayload,
  FollowPayload,
  UserSnapshotPayload,
} from '../../domain/index.js';

/**
 * The language of the read-model writers: what one event (or one row of the write model,
 * in a rebuild) changes, carrying the event's own payload. Paired events become one change
 * with a flag (follow/unfollow, favourite/unfavourite) and both article snapshots one
 * upsert, so each writer implements seven operations, and the live projection, replays and
 * rebuilds all speak it.
 *
 * Every change but the comment ones carries the version it brings: writers apply a change
 * only over an older stored version, so a change applied twice or late changes nothing.
 * Comments are never edited; their guard is the tombstone a deletion leaves.
 */
export type ReadModelChange =
  | { readonly kind: 'user'; readonly user: UserSnapshotPayload; readonly version: number }
  | { readonly kind: 'follow'; readonly pair: FollowPayload; readonly active: boolean; readonly version: number }
  | { readonly kind: 'article'; readonly article: ArticleSnapshotPayload; readonly version: number }
  | { readonly kind: 'article-deleted'; readonly articleId: string; readonly version: number }
  | { readonly kind: 'favorite'; readonly pair: FavoritePayload; readonly active: boolean; readonly version: number }
  | { readonly kind: 'comment'; readonly comment: CommentAddedPayload }
  | { readonly kind: 'comment-deleted'; readonly commentId: number; readonly articleId: string };

export type ReadModelChangeKind = ReadModelChange['kind'];

/** The read-model change an event makes. Every event makes exactly one. */
export function changeOf(event: ConduitEvent): ReadModelChange {
  const { version } = event;
  switch (event.type) {
    case 'UserRegistered':
    case 'UserUpdated':
      return { kind: 'user', user: event.payload, version };
    // Roles and revocations are not in any read model, but they are versions of the user:
    // the profile is written again unchanged at the new version, so version guards, replays
    // and rebuilds (which copy the write model's current version) agree.
    case 'UserRoleGranted':
    case 'UserRoleRevoked':
    case 'UserTokensRevoked':
      return { kind: 'user', user: userSnapshotOf(event.payload), version };
    case 'UserFollowed':
    case 'UserUnfollowed':
      return { kind: 'follow', pair: event.payload, active: event.type === 'UserFollowed', version };
    case 'ArticlePublished':
    case 'ArticleUpdated':
      return { kind: 'article', article: event.payload, version };
    case 'ArticleDeleted':
      return { kind: 'article-deleted', articleId: event.payload.articleId, version };
    case 'ArticleFavorited':
    case 'ArticleUnfavorited':
      return { kind: 'favorite', pair: event.payload, active: event.type === 'ArticleFavorited', version };
    case 'CommentAdded':
      return { kind: 'comment', comment: event.payload };
    case 'CommentDeleted':
      return { kind: 'comment-deleted', commentId: event.payload.commentId, articleId: event.payload.articleId };
  }
}

/** The profile part of a payload that carries more (a role change, a revocation). */
const userSnapshotOf = ({ userId, username, email, bio, image }: UserSnapshotPayload): UserSnapshotPayload => ({
  userId,
  username,
  email,
  bio,
  image,
});
