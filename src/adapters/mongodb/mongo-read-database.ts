import { inject, injectable } from 'inversify';
import type { Collection, Db } from 'mongodb';
import { GENERATION_TTL_MS } from '../../application/projections/read-model.store.js';
import {
  META_COLLECTION,
  READ_COLLECTIONS,
  type ActiveGenerationDocument,
  type ArticleDocument,
  type ArticleTombstoneDocument,
  type CommentDocument,
  type CommentTombstoneDocument,
  type FavoriteDocument,
  type FollowDocument,
  type GenerationDocument,
  type ReadCollectionRole,
  type TagDocument,
  type UserDocument,
} from './read-model.documents.js';
import { MongoOrmToken, type MongoOrm } from './mongo-read-orm.js';

/** The collections of one generation, typed by role. */
export interface GenerationCollections {
  readonly generation: string;
  readonly users: Collection<UserDocument>;
  readonly articles: Collection<ArticleDocument>;
  readonly articleTombstones: Collection<ArticleTombstoneDocument>;
  readonly comments: Collection<CommentDocument>;
  readonly commentTombstones: Collection<CommentTombstoneDocument>;
  readonly follows: Collection<FollowDocument>;
  readonly favorites: Collection<FavoriteDocument>;
  readonly tags: Collection<TagDocument>;
}

/**
 * Generation names become collection-name prefixes, so they are restricted to a safe,
 * short alphabet (MongoDB namespaces are bounded and must not contain `$` or `.`).
 */
const GENERATION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

export const assertGenerationName = (generation: string): string => {
  if (typeof generation !== 'string' || !GENERATION_NAME.test(generation))
    throw new Error(`mongo read model: "${String(generation)}" is not a valid generation name (${GENERATION_NAME})`);
  return generation;
};

export const collectionName = (generation: string, role: ReadCollectionRole): string =>
  `${assertGenerationName(generation)}_${READ_COLLECTIONS[role]}`;

export class NoActiveGenerationError extends Error {
  override readonly name = 'NoActiveGenerationError';
}

/**
 * The read store's way into MongoDB, shared by the stores, the writers and the admin side
 * (bind it as a singleton). It hands out the collections of a generation and knows which
 * generation is active.
 *
 * The active generation is read from `rm_meta` at most once per GENERATION_TTL_MS (one
 * read shared by concurrent callers), so queries do not pay a meta look-up each, and every
 * process serves the new generation within that bound after a swap.
 */
@injectable()
export class MongoReadDatabase {
  private readonly byGeneration = new Map<string, GenerationCollections>();
  private cached: { readonly generation: string | null; readonly until: number } | null = null;
  private refreshing: Promise<string | null> | null = null;
  /** Bumped by forgetActiveGeneration, so a read that began before it is not cached. */
  private epoch = 0;

  constructor(@inject(MongoOrmToken) private readonly orm: MongoOrm) {}

  db(): Db {
    return this.orm.em.getConnection().getDb();
  }

  activePointer(): Collection<ActiveGenerationDocument> {
    return this.db().collection<ActiveGenerationDocument>(META_COLLECTION);
  }

  generationRegistry(): Collection<GenerationDocument> {
    return this.db().collection<GenerationDocument>(META_COLLECTION);
  }

  collections(generation: string): GenerationCollections {
    let found = this.byGeneration.get(generation);
    if (!found) {
      const db = this.db();
      const of = <T extends object>(role: ReadCollectionRole) => db.collection<T>(collectionName(generation, role));
      found = {
        generation,
        users: of<UserDocument>('users'),
        articles: of<ArticleDocument>('articles'),
        articleTombstones: of<ArticleTombstoneDocument>('articleTombstones'),
        comments: of<CommentDocument>('comments'),
        commentTombstones: of<CommentTombstoneDocument>('commentTombstones'),
        follows: of<FollowDocument>('follows'),
        favorites: of<FavoriteDocument>('favorites'),
        tags: of<TagDocument>('tags'),
      };
      this.byGeneration.set(generation, found);
    }
    return found;
  }

  /** The collections of the active generation; throws when none was ever activated. */
  async active(): Promise<GenerationCollections> {
    const generation = await this.activeGeneration();
    if (generation === null)
      throw new NoActiveGenerationError(
        'mongo read model: no generation is active: ensureActiveGeneration() must run at start',
      );
    return this.collections(generation);
  }

  /** The active generation as this process currently sees it (at most GENERATION_TTL_MS old). */
  async activeGeneration(): Promise<string | null> {
    const cached = this.cached;
    if (cached && performance.now() < cached.until) return cached.generation;
    if (this.refreshing) return this.refreshing;
    const refresh = this.readActiveGeneration(this.epoch).finally(() => {
      if (this.refreshing === refresh) this.refreshing = null;
    });
    this.refreshing = refresh;
    return refresh;
  }

  /**
   * Forgets the cached pointer, so the next call reads it: the process that swapped the
   * pointer serves the new generation at once. A read already in flight (begun before the
   * swap) is not cached.
   */
  forgetActiveGeneration(): void {
    this.epoch += 1;
    this.cached = null;
    this.refreshing = null;
  }

  private async readActiveGeneration(epoch: number): Promise<string | null> {
    // The TTL counts from when the read started, so "within GENERATION_TTL_MS" holds even
    // when the read itself was slow.
    const started = performance.now();
    const pointer = await this.activePointer().findOne({ _id: { $eq: 'active' } });
    const generation = pointer?.generation ?? null;
    if (epoch === this.epoch) this.cached = { generation, until: started + GENERATION_TTL_MS };
    return generation;
  }
}
