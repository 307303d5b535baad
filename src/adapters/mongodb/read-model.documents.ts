/**
 * The documents of one read-model generation. Each collection is named `<generation>_<name>`
 * (`g1_articles`), so a rebuild can fill a fresh set while the active one serves.
 *
 * Documents are shaped like the API responses; the extra fields below exist only to keep
 * them exact without transactions and are never returned (the stores project them away):
 * - `version`: the aggregate version the document reflects (every write is guarded by it);
 * - `authorVersion`: the user version an embedded author was copied from, so a late copy
 *   can never overwrite a newer one;
 * - `countedTags`, `favSeq`/`favCountedSeq`, `seq`/`countedSeq`: recount bookkeeping, see
 *   MongoReadModelWriter.
 */
export interface EmbeddedAuthor {
  readonly id: string;
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

export interface UserDocument {
  readonly _id: string;
  readonly username: string;
  /** Username.keyOf(username): unique, and what profile look-ups use. */
  readonly usernameKey: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly version: number;
}

export interface ArticleDocument {
  readonly _id: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList: string[];
  /**
   * Every tag whose count may still include this article: the tags of each version written
   * since its last recount. A recount of exactly these, after the write, makes the counts
   * true again even if the writer died in between (the retry finds them here).
   */
  readonly countedTags: string[];
  /**
   * False from a write until the recount it triggered is done. When the previous write's
   * recount is known done, the next write recounts only the tags it adds or removes.
   */
  readonly tagsSettled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly author: EmbeddedAuthor;
  readonly authorVersion: number;
  readonly favoritesCount: number;
  /** Incremented by every favourite recount; the stored count is the one of the highest stamp. */
  readonly favSeq: number;
  readonly favCountedSeq: number;
  readonly version: number;
}

/** A deleted article: deletion is final, no late event of it may bring it back. */
export interface ArticleTombstoneDocument {
  readonly _id: string;
  readonly version: number;
  /** The tags the deleted article had, recounted (idempotently) whenever the deletion is settled. */
  readonly tags?: string[];
}

export interface CommentDocument {
  readonly _id: number;
  readonly articleId: string;
  readonly body: string;
  readonly createdAt: Date;
  readonly author: EmbeddedAuthor;
  readonly authorVersion: number;
}

export interface CommentTombstoneDocument {
  readonly _id: number;
}

/** A follow switch; the pair is unique. */
export interface FollowDocument {
  readonly followerId: string;
  readonly followeeId: string;
  readonly active: boolean;
  readonly version: number;
}

/** A favourite switch; the pair is unique. */
export interface FavoriteDocument {
  readonly userId: string;
  readonly articleId: string;
  readonly active: boolean;
  readonly version: number;
}

/** A tag and the number of articles using it; unused tags stay with count 0 (see the writer). */
export interface TagDocument {
  readonly _id: string;
  readonly count: number;
  readonly seq: number;
  readonly countedSeq: number;
}

/** The collections of a generation, by role, and the suffix each one's name ends with. */
export const READ_COLLECTIONS = {
  users: 'users',
  articles: 'articles',
  articleTombstones: 'article_tombstones',
  comments: 'comments',
  commentTombstones: 'comment_tombstones',
  follows: 'follows',
  favorites: 'favorites',
  tags: 'tags',
} as const;

export type ReadCollectionRole = keyof typeof READ_COLLECTIONS;

/** The collection outside every generation: which generation is active, and the known ones. */
export const META_COLLECTION = 'rm_meta';

/** `rm_meta` `_id: 'active'`: the served generation. Replaced in one single-document write. */
export interface ActiveGenerationDocument {
  readonly _id: 'active';
  readonly generation: string;
  /** Outbox position a projector replays after once, or null when done. */
  readonly replayFrom: number | null;
  readonly activatedAt: Date;
}

/** `rm_meta` `_id: 'generation:<name>'`: a prepared generation (listCollections is not portable). */
export interface GenerationDocument {
  readonly _id: string;
  readonly kind: 'generation';
  readonly name: string;
  readonly preparedAt: Date;
}

export type MetaDocument = ActiveGenerationDocument | GenerationDocument;
