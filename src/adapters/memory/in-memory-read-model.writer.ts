import { inject, injectable } from 'inversify';
import type {
  ArticleRecord,
  CommentRecord,
  ReadModelWriter,
  UserRecord,
} from '../../application/projections/read-model.writer.js';
import { Username } from '../../domain/index.js';
import { InMemoryReadDatabase, normaliseTimestamp, type VersionedSwitch } from './in-memory-read-store.js';

/**
 * The in-memory twin of SqlReadModelWriter, with the same rules: version-guarded upserts,
 * tombstones for deleted articles, favourites and comments of absent articles dropped,
 * counts recomputed from the data rather than incremented. Each method checks everything
 * before it changes anything, so a refused write leaves no trace (as a rolled-back
 * transaction would).
 */
@injectable()
export class InMemoryReadModelWriter implements ReadModelWriter {
  constructor(@inject(InMemoryReadDatabase) private readonly db: InMemoryReadDatabase) {}

  async upsertUser(user: UserRecord): Promise<void> {
    const stored = this.db.users.get(user.id);
    if (stored && stored.version >= user.version) return;
    const usernameKey = Username.keyOf(user.username);
    const holder = this.db.userIdsByKey.get(usernameKey);
    if (holder !== undefined && holder !== user.id)
      throw new Error(`in-memory read model: username key "${usernameKey}" already belongs to user ${holder}`);
    if (stored) this.db.userIdsByKey.delete(stored.usernameKey);
    this.db.userIdsByKey.set(usernameKey, user.id);
    this.db.users.set(user.id, {
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
    if (!this.db.users.has(article.authorId))
      throw new Error(`in-memory read model: article ${article.id} is by unknown user ${article.authorId}`);
    if (this.db.tombstones.has(article.id)) return;
    const stored = this.db.articles.get(article.id);
    if (stored && stored.version >= article.version) return;
    const holder = this.db.articleIdsBySlug.get(article.slug);
    if (holder !== undefined && holder !== article.id)
      throw new Error(`in-memory read model: slug "${article.slug}" already belongs to article ${holder}`);
    const created = normaliseTimestamp(article.createdAt);
    if (stored) this.db.articleIdsBySlug.delete(stored.slug);
    this.db.articleIdsBySlug.set(article.slug, article.id);
    this.db.articles.set(article.id, {
      id: article.id,
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
      version: article.version,
    });
    const before = stored?.tagList ?? [];
    this.recountTags([
      ...article.tagList.filter((tag) => !before.includes(tag)),
      ...before.filter((tag) => !article.tagList.includes(tag)),
    ]);
  }

  async deleteArticle(articleId: string, version: number): Promise<void> {
    const stored = this.db.articles.get(articleId);
    if (stored && stored.version >= version) return;
    this.db.tombstones.set(articleId, Math.max(this.db.tombstones.get(articleId) ?? version, version));
    if (!stored) return;
    for (const [id, comment] of this.db.comments) if (comment.articleId === articleId) this.db.comments.delete(id);
    this.db.favorites.delete(articleId);
    this.db.articles.delete(articleId);
    this.db.articleIdsBySlug.delete(stored.slug);
    this.recountTags(stored.tagList);
  }

  async setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void> {
    let followed = this.db.follows.get(followerId);
    if (!followed) this.db.follows.set(followerId, (followed = new Map()));
    setIfNewer(followed, followeeId, { active, version });
  }

  async setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void> {
    const article = this.db.articles.get(articleId);
    if (!article) return;
    let favourites = this.db.favorites.get(articleId);
    if (!favourites) this.db.favorites.set(articleId, (favourites = new Map()));
    setIfNewer(favourites, userId, { active, version });
    let count = 0;
    for (const favourite of favourites.values()) if (favourite.active) count++;
    article.favoritesCount = count;
  }

  async addComment(comment: CommentRecord): Promise<void> {
    if (!this.db.users.has(comment.authorId))
      throw new Error(`in-memory read model: comment ${comment.id} is by unknown user ${comment.authorId}`);
    if (!this.db.articles.has(comment.articleId) || this.db.comments.has(comment.id)) return;
    if (this.db.commentTombstones.has(comment.id)) return;
    const created = normaliseTimestamp(comment.createdAt);
    this.db.comments.set(comment.id, {
      id: comment.id,
      articleId: comment.articleId,
      authorId: comment.authorId,
      body: comment.body,
      createdAt: created.iso,
      createdAtMs: created.ms,
    });
  }

  async deleteComment(commentId: number): Promise<void> {
    this.db.commentTombstones.add(commentId);
    this.db.comments.delete(commentId);
  }

  async clear(): Promise<void> {
    this.db.clear();
  }

  private recountTags(tags: readonly string[]): void {
    for (const tag of new Set(tags)) {
      let count = 0;
      for (const article of this.db.articles.values()) if (article.tagList.includes(tag)) count++;
      if (count > 0) this.db.tagCounts.set(tag, count);
      else this.db.tagCounts.delete(tag);
    }
  }
}

const setIfNewer = (switches: Map<string, VersionedSwitch>, key: string, next: VersionedSwitch): void => {
  const stored = switches.get(key);
  if (!stored || stored.version < next.version) switches.set(key, next);
};
