import { inject, injectable } from 'inversify';
import type {
  ArticleRecord,
  CommentRecord,
  ReadModelWriter,
  UserRecord,
} from '../../application/projections/read-model.writer.js';
import { Username } from '../../domain/index.js';
import {
  InMemoryReadSource,
  normaliseTimestamp,
  type InMemoryReadDatabase,
  type VersionedSwitch,
} from './in-memory-read-store.js';

/**
 * The in-memory twin of SqlReadModelWriter, with the same rules: version-guarded upserts,
 * tombstones for deleted articles, counts recomputed from the data rather than incremented.
 * A favourite or comment of an article the read model does not hold is refused (thrown, so
 * the projector retries it) unless the article has a tombstone, in which case it is dropped.
 *
 * Each method takes its database from the source once, then checks everything before it
 * changes anything and never awaits in between, so a refused write leaves no trace (as a
 * rolled-back transaction would) and a write never straddles a generation swap.
 */
@injectable()
export class InMemoryReadModelWriter implements ReadModelWriter {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async upsertUser(user: UserRecord): Promise<void> {
    const db = this.source.current();
    const stored = db.users.get(user.id);
    if (stored && stored.version >= user.version) return;
    const usernameKey = Username.keyOf(user.username);
    const holder = db.userIdsByKey.get(usernameKey);
    if (holder !== undefined && holder !== user.id)
      throw new Error(`in-memory read model: username key "${usernameKey}" already belongs to user ${holder}`);
    if (stored) db.userIdsByKey.delete(stored.usernameKey);
    db.userIdsByKey.set(usernameKey, user.id);
    db.users.set(user.id, {
      id: user.id,
      username: user.username,
      usernameKey,
      email: user.email,
      bio: user.bio,
      image: user.image,
      version: user.version,
    });
  }

  async upsertArticle(article: ArticleRecord): Promise<void> {
    const db = this.source.current();
    if (!db.users.has(article.authorId))
      throw new Error(`in-memory read model: article ${article.id} is by user ${article.authorId}, not projected yet`);
    if (db.tombstones.has(article.id)) return;
    const stored = db.articles.get(article.id);
    if (stored && stored.version >= article.version) return;
    const holder = db.articleIdsBySlug.get(article.slug);
    if (holder !== undefined && holder !== article.id)
      throw new Error(`in-memory read model: slug "${article.slug}" already belongs to article ${holder}`);
    const created = normaliseTimestamp(article.createdAt);
    const updatedAt = normaliseTimestamp(article.updatedAt).iso;
    if (stored) db.articleIdsBySlug.delete(stored.slug);
    db.articleIdsBySlug.set(article.slug, article.id);
    db.articles.set(article.id, {
      id: article.id,
      authorId: article.authorId,
      slug: article.slug,
      title: article.title,
      description: article.description,
      body: article.body,
      tagList: [...article.tagList],
      createdAt: created.iso,
      updatedAt,
      createdAtMs: created.ms,
      favoritesCount: stored?.favoritesCount ?? 0,
      version: article.version,
    });
    const before = stored?.tagList ?? [];
    recountTags(db, [
      ...article.tagList.filter((tag) => !before.includes(tag)),
      ...before.filter((tag) => !article.tagList.includes(tag)),
    ]);
  }

  async deleteArticle(articleId: string, version: number): Promise<void> {
    const db = this.source.current();
    const stored = db.articles.get(articleId);
    if (stored && stored.version >= version) return;
    db.tombstones.set(articleId, Math.max(db.tombstones.get(articleId) ?? version, version));
    if (!stored) return;
    for (const [id, comment] of db.comments) if (comment.articleId === articleId) db.comments.delete(id);
    db.favorites.delete(articleId);
    db.articles.delete(articleId);
    db.articleIdsBySlug.delete(stored.slug);
    recountTags(db, stored.tagList);
  }

  async setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void> {
    const db = this.source.current();
    let followed = db.follows.get(followerId);
    if (!followed) db.follows.set(followerId, (followed = new Map()));
    setIfNewer(followed, followeeId, { active, version });
  }

  async setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void> {
    const db = this.source.current();
    const article = db.articles.get(articleId);
    if (!article) return refuseOrDrop(db, articleId, `favourite of ${userId}`);
    let favourites = db.favorites.get(articleId);
    if (!favourites) db.favorites.set(articleId, (favourites = new Map()));
    setIfNewer(favourites, userId, { active, version });
    let count = 0;
    for (const favourite of favourites.values()) if (favourite.active) count++;
    article.favoritesCount = count;
  }

  async addComment(comment: CommentRecord): Promise<void> {
    const db = this.source.current();
    if (!db.users.has(comment.authorId))
      throw new Error(`in-memory read model: comment ${comment.id} is by user ${comment.authorId}, not projected yet`);
    if (!db.articles.has(comment.articleId)) return refuseOrDrop(db, comment.articleId, `comment ${comment.id}`);
    if (db.comments.has(comment.id) || db.commentTombstones.has(comment.id)) return;
    const created = normaliseTimestamp(comment.createdAt);
    db.comments.set(comment.id, {
      id: comment.id,
      articleId: comment.articleId,
      authorId: comment.authorId,
      body: comment.body,
      createdAt: created.iso,
      createdAtMs: created.ms,
    });
  }

  async deleteComment(commentId: number): Promise<void> {
    const db = this.source.current();
    db.commentTombstones.add(commentId);
    db.comments.delete(commentId);
  }

  async clear(): Promise<void> {
    this.source.current().clear();
  }
}

/**
 * What belongs to an article the read model does not hold: dropped when the article was
 * deleted (its tombstone), refused otherwise — the article has not been projected yet, and
 * the projector must retry the event rather than lose it.
 */
function refuseOrDrop(db: InMemoryReadDatabase, articleId: string, what: string): void {
  if (db.tombstones.has(articleId)) return;
  throw new Error(`in-memory read model: ${what} is of article ${articleId}, which is not projected yet`);
}

function recountTags(db: InMemoryReadDatabase, tags: readonly string[]): void {
  for (const tag of new Set(tags)) {
    let count = 0;
    for (const article of db.articles.values()) if (article.tagList.includes(tag)) count++;
    if (count > 0) db.tagCounts.set(tag, count);
    else db.tagCounts.delete(tag);
  }
}

const setIfNewer = (switches: Map<string, VersionedSwitch>, key: string, next: VersionedSwitch): void => {
  const stored = switches.get(key);
  if (!stored || stored.version < next.version) switches.set(key, next);
};
