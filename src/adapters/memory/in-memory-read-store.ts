import { injectable } from 'inversify';
import type { ArticleSnapshotPayload, UserSnapshotPayload } from '../../domain/index.js';
import type { ArticleReadModel, AuthorReadModel, CommentReadModel } from '../../application/read-side/read-models.js';

/** A switch with the version of the event that last set it (follows, favourites). */
export interface VersionedSwitch {
  readonly active: boolean;
  readonly version: number;
}

/** A user as their events carry them, keyed by id, with the key their username is unique by. */
export interface MemoryUser extends Omit<UserSnapshotPayload, 'userId'> {
  readonly id: string;
  readonly usernameKey: string;
  readonly version: number;
}

/** An article as its events carry it, keyed by its id. */
export interface MemoryArticle extends Omit<ArticleSnapshotPayload, 'articleId'> {
  readonly id: string;
  /** `createdAt` in milliseconds, the primary list order. */
  readonly createdAtMs: number;
  favoritesCount: number;
  readonly version: number;
}

export interface MemoryComment {
  readonly id: number;
  readonly articleId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly createdAtMs: number;
}

/**
 * Where the in-memory read adapters find the database to use: the active generation's
 * (`InMemoryReadModelStore`, bound under this token in the container), or one fixed
 * database (an `InMemoryReadDatabase` is its own source: tests, the writer of a rebuild).
 * Adapters ask once per call, so one call never spans two generations.
 */
export interface InMemoryReadSource {
  current(): InMemoryReadDatabase;
}
export const InMemoryReadSource = Symbol.for('InMemoryReadSource');

/**
 * One generation of the in-memory read model. It keeps authors by reference, not as
 * embedded copies: an article or comment reads its author's current row, which is exactly
 * what the SQL and Mongo stores achieve by rewriting their copies on every rename.
 *
 * Every method of the adapters runs synchronously between awaits, so each write is atomic
 * with respect to every other and recounts are exact without locks.
 */
@injectable()
export class InMemoryReadDatabase implements InMemoryReadSource {
  readonly users = new Map<string, MemoryUser>();
  /** Username key → user id; unique like rm_users.username_key. */
  readonly userIdsByKey = new Map<string, string>();
  readonly articles = new Map<string, MemoryArticle>();
  /** Slug → article id; unique like rm_articles.slug. */
  readonly articleIdsBySlug = new Map<string, string>();
  /** Deleted article id → the version of its deletion. */
  readonly tombstones = new Map<string, number>();
  /** Follower id → followee id → switch. */
  readonly follows = new Map<string, Map<string, VersionedSwitch>>();
  /** Article id → user id → switch. */
  readonly favorites = new Map<string, Map<string, VersionedSwitch>>();
  readonly comments = new Map<number, MemoryComment>();
  /** Ids of deleted comments: a late or replayed CommentAdded must not bring one back. */
  readonly commentTombstones = new Set<number>();
  /** Tag → number of articles using it (maintained by the writer); tags at 0 are removed. */
  readonly tagCounts = new Map<string, number>();
  /** Every other maintained count, by the keys of read-model-rules.ts. */
  readonly counts = new Map<string, number>();

  current(): InMemoryReadDatabase {
    return this;
  }

  clear(): void {
    for (const map of [
      this.users,
      this.userIdsByKey,
      this.articles,
      this.articleIdsBySlug,
      this.tombstones,
      this.follows,
      this.favorites,
      this.comments,
      this.commentTombstones,
      this.tagCounts,
      this.counts,
    ])
      map.clear();
  }

  author(userId: string): AuthorReadModel {
    const user = this.users.get(userId);
    // Writes refuse content by unknown authors, so this is a broken invariant, not a miss.
    if (!user) throw new Error(`in-memory read model: user ${userId} is missing`);
    return { id: user.id, username: user.username, bio: user.bio, image: user.image };
  }

  storedArticle(article: MemoryArticle): ArticleReadModel {
    const { authorId, createdAtMs: _order, version: _version, ...fields } = article;
    return { ...fields, tagList: [...fields.tagList], author: this.author(authorId) };
  }

  storedComment(comment: MemoryComment): CommentReadModel {
    return {
      id: comment.id,
      articleId: comment.articleId,
      body: comment.body,
      createdAt: comment.createdAt,
      updatedAt: comment.createdAt,
      author: this.author(comment.authorId),
    };
  }
}

/** ISO-8601 with milliseconds and `Z`, whatever offset or precision the input had. */
export const normaliseTimestamp = (value: string): { iso: string; ms: number } => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`in-memory read model: invalid timestamp "${value}"`);
  return { iso: date.toISOString(), ms: date.getTime() };
};

/**
 * Code-point order, the order of `collate "C"` on UTF-8 text in the SQL store (JavaScript's
 * `<` compares UTF-16 units, which differs for characters beyond the BMP).
 */
export const compareCodePoints = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const y = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
};
