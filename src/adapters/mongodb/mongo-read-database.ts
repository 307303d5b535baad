import { inject, injectable } from 'inversify';
import type { Collection, Db, Document } from 'mongodb';
import { ActiveGeneration } from '../../application/read-side/active-generation.js';
import { translatingOutages } from './mongo-outage.js';
import { MongoOrmToken, type MongoOrm } from './mongo-read-orm.js';
import {
  GENERATION_MARKER,
  META_COLLECTION,
  READ_COLLECTIONS,
  type ArticleDocument,
  type ArticleTombstoneDocument,
  type CommentDocument,
  type CommentTombstoneDocument,
  type CountDocument,
  type FavoriteDocument,
  type FollowDocument,
  type GenerationMarkerDocument,
  type MetaDocument,
  type ReadCollectionRole,
  type TagDocument,
  type UserDocument,
} from './read-model.documents.js';

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
  readonly counts: Collection<CountDocument>;
  /** The `counts` collection again, typed for its one marker document. */
  readonly marker: Collection<GenerationMarkerDocument>;
}

export const READ_ROLES = Object.keys(READ_COLLECTIONS) as ReadCollectionRole[];

/**
 * Generation names become collection-name prefixes: a lower-case letter, then lower-case
 * letters, digits or `_`, at most 38 characters in all (the rule every read store shares;
 * MongoDB namespaces are bounded and must not contain `$` or `.`).
 */
const GENERATION_NAME = /^[a-z][a-z0-9_]{0,37}$/;

export const assertGenerationName = (generation: string): string => {
  if (typeof generation !== 'string' || !GENERATION_NAME.test(generation))
    throw new Error(`mongo read model: "${String(generation)}" is not a valid generation name (${GENERATION_NAME})`);
  return generation;
};

export const collectionName = (generation: string, role: ReadCollectionRole): string =>
  `${assertGenerationName(generation)}_${READ_COLLECTIONS[role]}`;

/**
 * The read store's way into MongoDB, shared by the stores, the writers and the
 * generations (one per process): the database, `rm_meta`, and the collections of any
 * generation. It knows nothing of which generation is active: that is ActiveGeneration's
 * (see MongoActiveCollections).
 */
@injectable()
export class MongoReadDatabase {
  private readonly byGeneration = new Map<string, GenerationCollections>();

  constructor(@inject(MongoOrmToken) private readonly orm: MongoOrm) {}

  db(): Db {
    return this.orm.em.getConnection().getDb();
  }

  meta<T extends MetaDocument>(): Collection<T> {
    return this.db().collection<T>(META_COLLECTION);
  }

  collections(generation: string): GenerationCollections {
    let found = this.byGeneration.get(generation);
    if (!found) {
      const db = this.db();
      const of = <T extends Document>(role: ReadCollectionRole) => db.collection<T>(collectionName(generation, role));
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
        counts: of<CountDocument>('counts'),
        marker: of<GenerationMarkerDocument>('counts'),
      };
      this.byGeneration.set(generation, found);
    }
    return found;
  }
}

/** The collections of the generation this process serves, for the query stores and the live writer. */
@injectable()
export class MongoActiveCollections {
  constructor(
    @inject(MongoReadDatabase) private readonly db: MongoReadDatabase,
    @inject(ActiveGeneration) private readonly active: ActiveGeneration,
  ) {}

  /** Throws NoActiveGeneration while none is active (ensureActiveGeneration runs at start). */
  async get(): Promise<GenerationCollections> {
    return this.db.collections(await this.active.current());
  }

  /** Runs `query` on the active generation's collections; an outage throws DependencyUnavailable (translatingOutages). */
  read<T>(query: (collections: GenerationCollections) => Promise<T>): Promise<T> {
    return translatingOutages(async () => query(await this.get()));
  }
}

/** `role`'s collection, untyped: for what every collection of a generation undergoes alike. */
export const anyCollection = (c: GenerationCollections, role: ReadCollectionRole): Collection<Document> =>
  c[role] as unknown as Collection<Document>;

/**
 * Deletes every document of the generation but its marker: what `prepare` does to the
 * leftovers of a generation that lost part of its data, before it is filled again.
 * Deletes, not drops: every server (and the test emulator, which has no `drop`) has them.
 */
export async function emptyGeneration(c: GenerationCollections): Promise<void> {
  await Promise.all(
    READ_ROLES.map((role) =>
      role === 'counts'
        ? c.counts.deleteMany({ _id: { $ne: GENERATION_MARKER } })
        : anyCollection(c, role).deleteMany({}),
    ),
  );
}
