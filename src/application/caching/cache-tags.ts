import { Username, type ArticleSnapshotPayload, type UserSnapshotPayload } from '../../domain/index.js';
import type { ReadModelChange } from '../read-side/read-model-changes.js';

/**
 * The vocabulary both sides of the query cache speak: a cached entry depends on tags, the
 * projector bumps the tags a change touches (docs/adr/012-query-cache-stamps-and-read-through.md).
 * Both sides are in this file and in query-caching.ts beside it, so the rules cannot drift
 * apart.
 *
 * Tags name either one thing an entry embeds (an article by id, a user by id, the comments
 * of an article) — learnt from the data — or a membership the entry's key names (who holds
 * a slug or a username, which articles exist) — known from the key before any query.
 */
export const tags = {
  /** The article's own fields, its favourites count, and that it exists. */
  article: (articleId: string) => `a:${articleId}`,
  /** A user's public profile (username, bio, image), embedded as author everywhere. */
  user: (userId: string) => `u:${userId}`,
  /** The comments of an article. */
  comments: (articleId: string) => `c:${articleId}`,
  /** Which article holds a slug (none, until one is published with it). */
  slug: (slug: string) => `s:${slug}`,
  /** Which user holds a username (by its case-insensitive key). */
  username: (usernameKey: string) => `n:${usernameKey}`,
  /** Which articles exist, their order, their tags and counts: every list and the tag cloud. */
  articles: 'articles',
  /** Who favourited what: the lists filtered by `favorited`. */
  favorites: 'favorites',
  /** Any change of a username: the lists whose filter names a user (`author`, `favorited`). */
  renames: 'renames',
} as const;

/**
 * The tags whose entries one applied change makes stale. Follows change nothing cached:
 * `following` is laid over per viewer and never stored, and the feed is not cached.
 */
function tagsChangedBy(change: ReadModelChange): string[] {
  switch (change.kind) {
    case 'user': {
      const { userId, username } = change.user;
      const changed = [tags.user(userId), tags.username(Username.keyOf(username))];
      const previous = previousUsername(change.user);
      if (previous !== undefined && Username.keyOf(previous) !== Username.keyOf(username))
        changed.push(tags.username(Username.keyOf(previous)), tags.renames);
      return changed;
    }
    case 'follow':
      return [];
    case 'article': {
      const { articleId, slug } = change.article;
      const changed = [tags.article(articleId), tags.slug(slug), tags.articles];
      const previous = previousSlug(change.article);
      if (previous !== undefined && previous !== slug) changed.push(tags.slug(previous));
      return changed;
    }
    case 'article-deleted':
      return [tags.article(change.articleId), tags.comments(change.articleId), tags.articles];
    case 'favorite':
      return [tags.article(change.pair.articleId), tags.favorites];
    case 'comment':
      return [tags.comments(change.comment.articleId)];
    case 'comment-deleted':
      return [tags.comments(change.articleId)];
  }
}

/** The tags of a batch of changes, each once. */
export function tagsChangedByAll(changes: readonly ReadModelChange[]): string[] {
  return [...new Set(changes.flatMap(tagsChangedBy))];
}

/*
 * A live event's payload carries the name or slug it replaced (UserUpdated, ArticleUpdated);
 * a change copied from the write model in a rebuild does not, and needs none: a rebuild
 * invalidates everything at once.
 */
function previousUsername(user: UserSnapshotPayload): string | undefined {
  return 'previousUsername' in user && typeof user.previousUsername === 'string' ? user.previousUsername : undefined;
}

function previousSlug(article: ArticleSnapshotPayload): string | undefined {
  return 'previousSlug' in article && typeof article.previousSlug === 'string' ? article.previousSlug : undefined;
}
