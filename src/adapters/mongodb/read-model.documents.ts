import type { CounterDelta } from '../../application/read-side/read-model-rules.js';

/**
 * The documents of one read-model generation. Each collection is named `<generation>_<name>`
 * (`g1_articles`), so a rebuild can fill a fresh set while the active one serves.
 *
 * Documents are shaped like the API responses; the extra fields below exist only to keep
 * them exact without transactions and are never returned (the stores project them away):
 * - `version`: the aggregate version the document reflects (every write is guarded by it);
 * - `authorVersion`: the user version an embedded author was copied from, so a late copy
 *   can never overwrite a newer one;
 * - `pending`: the count deltas of the document's last state change, until they are applied
 *   (see mongo-count-ledger.ts);
 * - `ops`, `rel`: on a document that holds a count, the operations applied to it (until
 *   compacted away) and how many times some were (see mongo-count-ledger.ts).
 */
export interface EmbeddedAuthor {
  readonly id: string;
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

/**
 * The count deltas a state change of this document implies, recorded in the same atomic
 * write as the change itself, under an operation id unique to that change.
 */
export interface PendingCounts {
  readonly op: string;
  readonly deltas: readonly CounterDelta[];
  /** The change removes the document: it goes once its deltas are applied. */
  readonly remove?: boolean;
}

/** What an operation changed: an article, or a favourite (the pair). */
export interface OperationSource {
  readonly articleId: string;
  readonly userId?: string;
}

/** Operations applied to a count and not compacted away yet, by id, with their source; see mongo-count-ledger.ts. */
export type AppliedOps = Readonly<Record<string, OperationSource>>;

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
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly author: EmbeddedAuthor;
  readonly authorVersion: number;
  /** The article's favourites: a count, maintained like every other (`favorites:<id>`). */
  readonly favoritesCount: number;
  readonly ops?: AppliedOps;
  readonly rel?: number;
  readonly pending?: PendingCounts;
  readonly version: number;
}

/** A deleted article: deletion is final, no late event of it may bring it back. */
export interface ArticleTombstoneDocument {
  readonly _id: string;
  readonly version: number;
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

/** A follow switch; the pair is unique. Follows hold no counts: a feed adds up its authors' counts. */
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
  readonly pending?: PendingCounts;
  readonly version: number;
}

/** A tag and the number of articles using it (`tag:<name>`). */
export interface TagDocument {
  readonly _id: string;
  readonly count: number;
  readonly ops?: AppliedOps;
  readonly rel?: number;
}

/**
 * Every other maintained count, by `counterKey` (`articles`, `author:<id>`,
 * `favorited:<id>`), and the generation's marker (`_id: GENERATION_MARKER`).
 */
export interface CountDocument {
  readonly _id: string;
  readonly count: number;
  readonly ops?: AppliedOps;
  readonly rel?: number;
}

/**
 * The generation's own record that it is whole, kept in its `counts` collection: whatever
 * loses the generation's data (a MongoDB restarted empty, dropped collections) loses it too.
 * `preparing` while one process prepares it (the others wait), `ready` after.
 */
export interface GenerationMarkerDocument {
  readonly _id: typeof GENERATION_MARKER;
  readonly state: 'preparing' | 'ready';
  /** The preparing call, and since when: a preparation abandoned for long is taken over. */
  readonly owner?: string;
  readonly since?: Date;
  readonly preparedAt?: Date;
}

/** Not a counter key (those are `articles` or `<kind>:<id>`), so it can share their collection. */
export const GENERATION_MARKER = '#generation';

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
  counts: 'counts',
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
  /** Preparation order, from the `sequence` document: dates tie within a millisecond. */
  readonly order: number;
  readonly preparedAt: Date;
}

/** `rm_meta` `_id: 'sequence'`: the last preparation order handed out. */
export interface SequenceDocument {
  readonly _id: 'sequence';
  readonly n: number;
}

export type MetaDocument = ActiveGenerationDocument | GenerationDocument | SequenceDocument;
