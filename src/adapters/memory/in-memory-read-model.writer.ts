import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import {
  articleCountDeltas,
  counterKey,
  favoriteCountDeltas,
  NotProjectedYet,
  removedFavoritesDeltas,
  type CounterDelta,
} from '../../application/read-side/read-model-rules.js';
import type { ReadModelWriter } from '../../application/read-side/read-model.writer.js';
import type {
  ArticleSnapshotPayload,
  CommentAddedPayload,
  FavoritePayload,
  FollowPayload,
  UserSnapshotPayload,
} from '../../domain/index.js';
import { Username } from '../../domain/index.js';
import {
  InMemoryReadSource,
  normaliseTimestamp,
  type InMemoryReadDatabase,
  type VersionedSwitch,
} from './in-memory-read-store.js';

/**
 * The in-memory twin of SqlReadModelWriter, with the same rules (read-model-rules.ts):
 * version-guarded upserts, tombstones for deleted articles and comments, counts moved by
 * the deltas between the stored state before and after each change. A favourite or
 * comment of an article not held is refused (NotProjectedYet, so the projector retries it)
 * unless the article has a tombstone, in which case it is dropped.
 *
 * Each change takes its database from the source once, checks everything before it changes
 * anything and never awaits in between, so a refused change leaves no trace (as a rolled
 * back transaction would) and no change straddles a generation swap. A batch is applied
 * change by change: those before a refused one stay applied.
 */
@injectable()
export class InMemoryReadModelWriter implements ReadModelWriter {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async apply(changes: readonly ReadModelChange[]): Promise<void> {
    for (const change of changes) {
      const db = this.source.current();
      const deltas = applyChange(db, change);
      applyDeltas(db, deltas);
    }
  }
}

function applyChange(db: InMemoryReadDatabase, change: ReadModelChange): CounterDelta[] {
  switch (change.kind) {
    case 'user':
      upsertUser(db, change.user, change.version);
      return [];
    case 'follow':
      setFollow(db, change.pair, change.active, change.version);
      return [];
    case 'article':
      return upsertArticle(db, change.article, change.version);
    case 'article-deleted':
      return deleteArticle(db, change.articleId, change.version);
    case 'favorite':
      return setFavorite(db, change.pair, change.active, change.version);
    case 'comment':
      addComment(db, change.comment);
      return [];
    case 'comment-deleted':
      db.commentTombstones.add(change.commentId);
      db.comments.delete(change.commentId);
      return [];
  }
}

/** Authors are kept by reference here (articles and comments read their author's row), so a rename rewrites no copies. */
function upsertUser(db: InMemoryReadDatabase, user: UserSnapshotPayload, version: number): void {
  const stored = db.users.get(user.userId);
  if (stored && stored.version >= version) return;
  const usernameKey = Username.keyOf(user.username);
  const holder = db.userIdsByKey.get(usernameKey);
  if (holder !== undefined && holder !== user.userId)
    throw new Error(`in-memory read model: username key "${usernameKey}" already belongs to user ${holder}`);
  if (stored) db.userIdsByKey.delete(stored.usernameKey);
  db.userIdsByKey.set(usernameKey, user.userId);
  const { userId: id, username, email, bio, image } = user;
  db.users.set(id, { id, username, usernameKey, email, bio, image, version });
}

function upsertArticle(db: InMemoryReadDatabase, article: ArticleSnapshotPayload, version: number): CounterDelta[] {
  if (db.tombstones.has(article.articleId)) return [];
  if (!db.users.has(article.authorId))
    throw new NotProjectedYet(`article ${article.articleId} is by user ${article.authorId}, who is not projected yet`);
  const stored = db.articles.get(article.articleId);
  if (stored && stored.version >= version) return [];
  const holder = db.articleIdsBySlug.get(article.slug);
  if (holder !== undefined && holder !== article.articleId)
    throw new Error(`in-memory read model: slug "${article.slug}" already belongs to article ${holder}`);
  const created = normaliseTimestamp(article.createdAt);
  if (stored) db.articleIdsBySlug.delete(stored.slug);
  db.articleIdsBySlug.set(article.slug, article.articleId);
  db.articles.set(article.articleId, {
    id: article.articleId,
    authorId: article.authorId,
    slug: article.slug,
    title: article.title,
    description: article.description,
    body: article.body,
    tagList: [...article.tagList],
    createdAt: created.iso,
    updatedAt: normaliseTimestamp(article.updatedAt).iso,
    createdAtMs: created.ms,
    favoritesCount: stored?.favoritesCount ?? 0,
    version,
  });
  return articleCountDeltas(stored ?? null, article);
}

function deleteArticle(db: InMemoryReadDatabase, articleId: string, version: number): CounterDelta[] {
  const stored = db.articles.get(articleId);
  if (stored && stored.version >= version) return [];
  db.tombstones.set(articleId, Math.max(db.tombstones.get(articleId) ?? version, version));
  if (!stored) return [];
  for (const [id, comment] of db.comments) if (comment.articleId === articleId) db.comments.delete(id);
  const favoriters = [...(db.favorites.get(articleId) ?? [])].filter(([, f]) => f.active).map(([userId]) => userId);
  db.favorites.delete(articleId);
  db.articles.delete(articleId);
  db.articleIdsBySlug.delete(stored.slug);
  return [...articleCountDeltas(stored, null), ...removedFavoritesDeltas(favoriters)];
}

function setFollow(db: InMemoryReadDatabase, pair: FollowPayload, active: boolean, version: number): void {
  let followed = db.follows.get(pair.followerId);
  if (!followed) db.follows.set(pair.followerId, (followed = new Map()));
  setIfNewer(followed, pair.followeeId, { active, version });
}

function setFavorite(db: InMemoryReadDatabase, pair: FavoritePayload, active: boolean, version: number): CounterDelta[] {
  if (!db.articles.has(pair.articleId)) {
    if (db.tombstones.has(pair.articleId)) return [];
    throw new NotProjectedYet(`favourite of ${pair.userId} is of article ${pair.articleId}, which is not projected yet`);
  }
  let favourites = db.favorites.get(pair.articleId);
  if (!favourites) db.favorites.set(pair.articleId, (favourites = new Map()));
  const before = favourites.get(pair.userId);
  if (!setIfNewer(favourites, pair.userId, { active, version })) return [];
  return favoriteCountDeltas(pair, before?.active ?? false, active);
}

/** Comments are never edited: the first copy wins; a tombstone keeps a deleted one deleted. */
function addComment(db: InMemoryReadDatabase, comment: CommentAddedPayload): void {
  if (!db.articles.has(comment.articleId)) {
    if (db.tombstones.has(comment.articleId)) return;
    throw new NotProjectedYet(`comment ${comment.commentId} is of article ${comment.articleId}, which is not projected yet`);
  }
  if (!db.users.has(comment.authorId))
    throw new NotProjectedYet(`comment ${comment.commentId} is by user ${comment.authorId}, who is not projected yet`);
  if (db.comments.has(comment.commentId) || db.commentTombstones.has(comment.commentId)) return;
  const created = normaliseTimestamp(comment.createdAt);
  db.comments.set(comment.commentId, {
    id: comment.commentId,
    articleId: comment.articleId,
    authorId: comment.authorId,
    body: comment.body,
    createdAt: created.iso,
    createdAtMs: created.ms,
  });
}

function applyDeltas(db: InMemoryReadDatabase, deltas: readonly CounterDelta[]): void {
  for (const { counter, delta } of deltas) {
    if (counter.kind === 'tag') {
      const next = (db.tagCounts.get(counter.tag) ?? 0) + delta;
      if (next === 0) db.tagCounts.delete(counter.tag);
      else db.tagCounts.set(counter.tag, next);
    } else if (counter.kind === 'favorites') {
      const article = db.articles.get(counter.articleId);
      if (article) article.favoritesCount += delta;
    } else {
      const key = counterKey(counter);
      db.counts.set(key, (db.counts.get(key) ?? 0) + delta);
    }
  }
}

/** Answers whether the switch was written (a newer version than the stored one). */
const setIfNewer = (switches: Map<string, VersionedSwitch>, key: string, next: VersionedSwitch): boolean => {
  const stored = switches.get(key);
  if (stored && stored.version >= next.version) return false;
  switches.set(key, next);
  return true;
};
