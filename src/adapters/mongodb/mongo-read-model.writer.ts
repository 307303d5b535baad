import { inject, injectable } from 'inversify';
import type { Collection, Filter } from 'mongodb';
import type {
  ArticleRecord,
  CommentRecord,
  ReadModelWriter,
  UserRecord,
} from '../../application/projections/read-model.writer.js';
import { Username } from '../../domain/index.js';
import { asInteger, asText, eqInteger, eqText, toDate } from './filter-values.js';
import { MongoReadDatabase, type GenerationCollections } from './mongo-read-database.js';
import type { ArticleDocument, EmbeddedAuthor, UserDocument } from './read-model.documents.js';

/**
 * How often a write whose guard lost a race (a concurrent insert of the same key, a
 * document that changed between a read and a guarded delete) looks again before giving up;
 * the projector then retries the event later.
 */
const MAX_ATTEMPTS = 5;

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

const asVersion = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`mongo read model: version ${String(value)} is not a non-negative integer`);
  return value;
};

const asNullableText = (value: unknown): string | null =>
  value === null || value === undefined ? null : asText(value);

const union = (...lists: readonly (readonly string[] | undefined)[]): string[] => [
  ...new Set(lists.flatMap((list) => list ?? [])),
];

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
};

const embedded = (user: Pick<UserDocument, '_id' | 'username' | 'bio' | 'image'>): EmbeddedAuthor => ({
  id: user._id,
  username: user.username,
  bio: user.bio ?? null,
  image: user.image ?? null,
});

const AUTHOR_FIELDS = { _id: 1, username: 1, bio: 1, image: 1, version: 1 } as const;
type AuthorFields = Pick<UserDocument, '_id' | 'username' | 'bio' | 'image' | 'version'>;

/** An article as a write left it, and the tags whose counts that write may have changed. */
interface WrittenArticle {
  readonly id: string;
  readonly authorId: string;
  readonly version: number;
  readonly authorVersion: number;
  readonly tagList: readonly string[];
  readonly recount: readonly string[];
}

/**
 * Projects into one generation's collections, with exactly the rules of the SQL writer,
 * but without transactions or locks (a standalone mongod has no transactions; nothing here
 * may assume them). Every method is therefore a sequence of single-document atomic writes
 * and idempotent bulk writes, ordered so that:
 *
 * - Version guards: every upsert is `{ key, version: { $lt: v } }` with upsert; when the
 *   key is stored at v or newer the insert half fails with a duplicate key, which is read
 *   as "already applied" (after a look that tells it from a lost insert race).
 * - Retry completes: a writer killed between two steps leaves state from which the retry of
 *   the same event finishes the job. A repeated event is not a plain no-op: it redoes the
 *   idempotent follow-up steps (embedded copies, recounts, clean-ups).
 * - Counts are recounted, never incremented, and concurrent recounts converge: a recount
 *   takes a stamp from an atomic `$inc` on the counted document after its own write, counts,
 *   and stores the count only if no higher stamp was stored. The highest stamp was taken
 *   after every write that asked for a recount, so its count includes all of them.
 * - Write, then check: content of an article (favourites, comments) is written first and
 *   the article's tombstone checked after; a deletion writes the tombstone first and
 *   sweeps after. Whichever runs second sees the other, so nothing outlives a deletion.
 *   Embedded authors follow the same rule against renames (see upsertUser).
 */
@injectable()
export class MongoReadModelWriter implements ReadModelWriter {
  private target: () => Promise<GenerationCollections>;

  /** The live writer: projects into the active generation. */
  constructor(@inject(MongoReadDatabase) db: MongoReadDatabase) {
    this.target = () => db.active();
  }

  /** A writer that fills one given generation (a rebuild), active or not. */
  static forGeneration(db: MongoReadDatabase, generation: string): MongoReadModelWriter {
    const writer = new MongoReadModelWriter(db);
    const collections = db.collections(generation);
    writer.target = async () => collections;
    return writer;
  }

  /**
   * Embedded copies and renames: every copy records the user version it was taken from
   * (`authorVersion`), and both sides only ever replace a copy with a newer one. A rename
   * writes the user, then rewrites the copies in bulk; a new article or comment writes its
   * copy, then reads the user again and refreshes the copy if the user moved on. Either
   * the re-read sees the rename, or the copy was written before the rename's bulk rewrite
   * and is rewritten by it.
   */
  async upsertUser(user: UserRecord): Promise<void> {
    const c = await this.target();
    const id = asText(user.id);
    const version = asVersion(user.version);
    const fields = {
      username: asText(user.username),
      usernameKey: Username.keyOf(asText(user.username)),
      email: asText(user.email),
      bio: asNullableText(user.bio),
      image: asNullableText(user.image),
      version,
    };
    const stored = await this.writeUser(c, id, fields);
    // Nothing to rewrite: the event was older than the stored user, or the user is new (a
    // user that was not stored has no copies: content needs its author stored first), or
    // only the email changed (copies hold the public fields only).
    if (stored === 'older' || stored === null) return;
    const samePublicFields =
      stored !== 'same' &&
      stored.username === fields.username &&
      stored.bio === fields.bio &&
      stored.image === fields.image;
    if (samePublicFields) return;
    // Rewritten also for a repeat ('same'): the writer that applied it may have died before.
    await this.rewriteCopies(c, { _id: id, ...fields });
  }

  /**
   * Writes the user if `fields.version` is newer than the stored one. Answers the version
   * this write replaced (exactly the copies that may be stale), null when there was none,
   * 'same' when this version was applied before, and 'older' when a newer one is stored.
   */
  private async writeUser(
    c: GenerationCollections,
    id: string,
    fields: Omit<UserDocument, '_id'>,
  ): Promise<AuthorFields | null | 'same' | 'older'> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await c.users.findOneAndUpdate(
          { _id: eqText(id), version: { $lt: fields.version } },
          { $set: fields, $setOnInsert: { _id: id } },
          { upsert: true, returnDocument: 'before', projection: AUTHOR_FIELDS },
        );
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const [stored, holder] = await Promise.all([
          c.users.findOne({ _id: eqText(id) }, { projection: { version: 1 } }),
          c.users.findOne({ usernameKey: eqText(fields.usernameKey), _id: { $ne: id } }, { projection: { _id: 1 } }),
        ]);
        if (holder)
          throw new Error(
            `mongo read model: username key "${fields.usernameKey}" already belongs to user ${holder._id}`,
          );
        if (stored && stored.version > fields.version) return 'older';
        if (stored && stored.version === fields.version) return 'same';
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async upsertArticle(article: ArticleRecord): Promise<void> {
    const c = await this.target();
    const id = asText(article.id);
    const version = asVersion(article.version);
    const authorId = asText(article.authorId);
    const slug = asText(article.slug);
    const tagList = article.tagList.map(asText);
    const [author, tombstone] = await Promise.all([
      c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
      c.articleTombstones.findOne({ _id: eqText(id) }, { projection: { _id: 1 } }),
    ]);
    // Users are projected before what they write; the projector retries until it is there.
    if (!author) throw new Error(`mongo read model: article ${id} is by user ${authorId}, who is not stored yet`);
    if (tombstone) return this.settleDeletion(c, id);

    const fields = {
      slug,
      title: asText(article.title),
      description: asText(article.description),
      body: asText(article.body),
      tagList,
      createdAt: toDate(article.createdAt),
      updatedAt: toDate(article.updatedAt),
      author: embedded(author),
      authorVersion: author.version,
      version,
      tagsSettled: false,
    };
    const written = await this.writeArticle(c, id, fields);
    await this.afterArticleWrite(c, { id, authorId, ...written });
  }

  /**
   * Writes the article if `fields.version` is newer than the stored one, and answers what
   * the follow-up steps need: the version now stored, its copy of the author, its tags,
   * and the tags to recount. For a version applied before (a repeat, or an older event) it
   * answers the stored state, with the tags still to recount if its writer never finished.
   */
  private async writeArticle(
    c: GenerationCollections,
    id: string,
    fields: Omit<ArticleDocument, '_id' | 'countedTags' | 'favoritesCount' | 'favSeq' | 'favCountedSeq'>,
  ): Promise<Omit<WrittenArticle, 'id' | 'authorId'>> {
    const { tagList, version, slug } = fields;
    for (let attempt = 1; ; attempt++) {
      try {
        const before = await c.articles.findOneAndUpdate(
          { _id: eqText(id), version: { $lt: version } },
          {
            $set: fields,
            $addToSet: { countedTags: { $each: tagList } },
            $setOnInsert: { _id: id, favoritesCount: 0, favSeq: 0, favCountedSeq: 0 },
          },
          { upsert: true, returnDocument: 'before', projection: { tagList: 1, countedTags: 1, tagsSettled: 1 } },
        );
        // When the previous write's recount is known done, only the tags this write adds or
        // removes changed; otherwise every tag the article may still be counted under is.
        const recount =
          before === null
            ? tagList
            : before.tagsSettled === true
              ? union(
                  tagList.filter((t) => !before.tagList.includes(t)),
                  before.tagList.filter((t) => !tagList.includes(t)),
                )
              : union(before.countedTags, before.tagList, tagList);
        return { version, authorVersion: fields.authorVersion, tagList, recount };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const [stored, holder] = await Promise.all([
          c.articles.findOne(
            { _id: eqText(id) },
            { projection: { version: 1, tagList: 1, countedTags: 1, tagsSettled: 1, authorVersion: 1 } },
          ),
          c.articles.findOne({ slug: eqText(slug), _id: { $ne: id } }, { projection: { _id: 1 } }),
        ]);
        if (holder) throw new Error(`mongo read model: slug "${slug}" already belongs to article ${holder._id}`);
        if (stored && stored.version >= version)
          return {
            version: stored.version,
            authorVersion: stored.authorVersion,
            tagList: stored.tagList,
            recount: stored.tagsSettled === true ? [] : union(stored.countedTags, stored.tagList),
          };
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async deleteArticle(articleId: string, version: number): Promise<void> {
    const c = await this.target();
    const id = asText(articleId);
    const deletion = asVersion(version);
    const stored = await c.articles.findOne({ _id: eqText(id) }, { projection: { version: 1 } });
    if (stored && stored.version >= deletion) return;
    // The tombstone first: from now on nothing of this article can be added for good.
    await upsertIfNewer(c.articleTombstones, { _id: eqText(id) }, deletion, {}, { _id: id });
    await this.settleDeletion(c, id);
  }

  async setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void> {
    const c = await this.target();
    const follower = asText(followerId);
    const followee = asText(followeeId);
    await upsertIfNewer(
      c.follows,
      { followerId: eqText(follower), followeeId: eqText(followee) },
      asVersion(version),
      { active: active === true },
      { followerId: follower, followeeId: followee },
    );
  }

  async setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void> {
    const c = await this.target();
    const user = asText(userId);
    const id = asText(articleId);
    const pair = { userId: eqText(user), articleId: eqText(id) };
    // A deleted article's favourites die with it (this one too, should an earlier attempt
    // have written it and died before its check); one not projected yet will be: retry.
    if (!(await this.articleIsStored(c, id, `favourite by ${user}`))) {
      await c.favorites.deleteOne(pair);
      return;
    }
    const switched = { active: active === true };
    await upsertIfNewer(c.favorites, pair, asVersion(version), switched, { userId: user, articleId: id });
    // A deletion that started meanwhile may have swept the favourites before this one landed.
    if (await c.articleTombstones.findOne({ _id: eqText(id) }, { projection: { _id: 1 } })) {
      await c.favorites.deleteOne(pair);
      return;
    }
    // Recounted even when the switch was already set: the writer that set it may have died first.
    await this.recountFavorites(c, id);
  }

  async addComment(comment: CommentRecord): Promise<void> {
    const c = await this.target();
    const id = asInteger(comment.id);
    if (id === null) throw new TypeError(`mongo read model: comment id ${String(comment.id)} is not an integer`);
    const articleId = asText(comment.articleId);
    const authorId = asText(comment.authorId);
    const [author, commentTombstone] = await Promise.all([
      c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
      c.commentTombstones.findOne({ _id: eqInteger(id) }),
    ]);
    if (!author) throw new Error(`mongo read model: comment ${id} is by user ${authorId}, who is not stored yet`);
    // A deleted comment or article stays deleted (this copy too, should an earlier attempt
    // have written it and died before its check); an article not projected yet will be: retry.
    if (commentTombstone || !(await this.articleIsStored(c, articleId, `comment ${id}`))) {
      await c.comments.deleteOne({ _id: eqInteger(id) });
      return;
    }

    let inserted = false;
    try {
      // Comments are never edited: the first copy wins.
      const result = await c.comments.updateOne(
        { _id: eqInteger(id) },
        {
          $setOnInsert: {
            _id: id,
            articleId,
            body: asText(comment.body),
            createdAt: toDate(comment.createdAt),
            author: embedded(author),
            authorVersion: author.version,
          },
        },
        { upsert: true },
      );
      inserted = result.upsertedCount === 1;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const [articleGone, commentGone, authorNow] = await Promise.all([
      c.articleTombstones.findOne({ _id: eqText(articleId) }, { projection: { _id: 1 } }),
      c.commentTombstones.findOne({ _id: eqInteger(id) }),
      c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
    ]);
    if (articleGone || commentGone) {
      await c.comments.deleteOne({ _id: eqInteger(id) });
      return;
    }
    // A stored copy of unknown age (not inserted now) is refreshed too; the guard keeps newer ones.
    if (authorNow && (authorNow.version > author.version || !inserted))
      await c.comments.updateOne(
        { _id: eqInteger(id), authorVersion: { $lt: authorNow.version } },
        { $set: { author: embedded(authorNow), authorVersion: authorNow.version } },
      );
  }

  async deleteComment(commentId: number): Promise<void> {
    const c = await this.target();
    const id = asInteger(commentId);
    if (id === null) return;
    try {
      await c.commentTombstones.updateOne({ _id: eqInteger(id) }, { $setOnInsert: { _id: id } }, { upsert: true });
    } catch (error) {
      // A concurrent deletion of the same comment inserted it first: the same result.
      if (!isDuplicateKey(error)) throw error;
    }
    await c.comments.deleteOne({ _id: eqInteger(id) });
  }

  async clear(): Promise<void> {
    const c = await this.target();
    await Promise.all([
      c.users.deleteMany({}),
      c.articles.deleteMany({}),
      c.articleTombstones.deleteMany({}),
      c.comments.deleteMany({}),
      c.commentTombstones.deleteMany({}),
      c.follows.deleteMany({}),
      c.favorites.deleteMany({}),
      c.tags.deleteMany({}),
    ]);
  }

  /**
   * True when the article is stored; false when it was deleted (what belongs to it is to
   * be dropped); throws when it is neither, yet: with several projectors, an event about an
   * article can be applied before the one that publishes it, and the projector retries.
   *
   * The tombstone is read only after the article was found missing, never alongside: a
   * deletion writes its tombstone before it removes the article, so an article missing at
   * one instant and no tombstone at a later one means the article was not there at all.
   * (A deletion that starts after the article was found is caught by the caller's check
   * after its write.)
   */
  private async articleIsStored(c: GenerationCollections, articleId: string, what: string): Promise<boolean> {
    if (await c.articles.findOne({ _id: eqText(articleId) }, { projection: { _id: 1 } })) return true;
    if (await c.articleTombstones.findOne({ _id: eqText(articleId) }, { projection: { _id: 1 } })) return false;
    throw new Error(`mongo read model: ${what} is about article ${articleId}, which is not stored yet`);
  }

  /** Rewrites every embedded copy of the user older than `user.version`: one updateMany per collection. */
  private async rewriteCopies(c: GenerationCollections, user: AuthorFields): Promise<void> {
    const stale = { 'author.id': eqText(user._id), authorVersion: { $lt: user.version } };
    const update = { $set: { author: embedded(user), authorVersion: user.version } };
    await Promise.all([c.articles.updateMany(stale, update), c.comments.updateMany(stale, update)]);
  }

  /**
   * The steps after an article write, each idempotent: settle a deletion that started
   * meanwhile, refresh the embedded author if the user changed meanwhile, recount the tags,
   * and then mark the article's tags settled (only if no newer write came in between).
   */
  private async afterArticleWrite(c: GenerationCollections, written: WrittenArticle): Promise<void> {
    const [tombstone, author] = await Promise.all([
      c.articleTombstones.findOne({ _id: eqText(written.id) }, { projection: { _id: 1 } }),
      c.users.findOne({ _id: eqText(written.authorId) }, { projection: AUTHOR_FIELDS }),
    ]);
    if (tombstone) return this.settleDeletion(c, written.id);
    if (author && author.version > written.authorVersion)
      await c.articles.updateOne(
        { _id: eqText(written.id), authorVersion: { $lt: author.version } },
        { $set: { author: embedded(author), authorVersion: author.version } },
      );
    await this.recountTags(c, written.recount);
    await c.articles.updateOne(
      { _id: eqText(written.id), version: { $eq: written.version }, tagsSettled: { $eq: false } },
      { $set: { countedTags: [...written.tagList], tagsSettled: true } },
    );
  }

  /**
   * Removes a tombstoned article and everything of it, idempotently; safe to run any
   * number of times, concurrently, and after a crash at any point. The article's tags are
   * added to the tombstone before the article goes, so the recount at the end is never
   * lost, and the article is deleted only in the version that was read.
   */
  private async settleDeletion(c: GenerationCollections, id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const doc = await c.articles.findOne(
        { _id: eqText(id) },
        { projection: { version: 1, tagList: 1, countedTags: 1 } },
      );
      if (!doc) break;
      await c.articleTombstones.updateOne(
        { _id: eqText(id) },
        { $addToSet: { tags: { $each: union(doc.tagList, doc.countedTags) } } },
      );
      const { deletedCount } = await c.articles.deleteOne({ _id: eqText(id), version: { $eq: doc.version } });
      if (deletedCount === 1) break;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`mongo read model: article ${id} kept changing while being deleted`);
    }
    await Promise.all([
      c.favorites.deleteMany({ articleId: eqText(id) }),
      c.comments.deleteMany({ articleId: eqText(id) }),
    ]);
    const tombstone = await c.articleTombstones.findOne({ _id: eqText(id) }, { projection: { tags: 1 } });
    await this.recountTags(c, tombstone?.tags ?? []);
  }

  /** Recounts `favoritesCount` from the active favourites; see the class comment for why it converges. */
  private async recountFavorites(c: GenerationCollections, id: string): Promise<void> {
    const stamp = await c.articles.findOneAndUpdate(
      { _id: eqText(id) },
      { $inc: { favSeq: 1 } },
      { returnDocument: 'after', projection: { favSeq: 1 } },
    );
    if (!stamp) return; // deleted meanwhile: nothing left to count
    const count = await c.favorites.countDocuments({ articleId: eqText(id), active: { $eq: true } });
    await c.articles.updateOne(
      { _id: eqText(id), favCountedSeq: { $lt: stamp.favSeq } },
      { $set: { favoritesCount: count, favCountedSeq: stamp.favSeq } },
    );
  }

  /**
   * Recounts each tag from the articles, in parallel; same stamp rule as favourites. A tag
   * nobody uses keeps its document at count 0 (tags() skips it): deleting it would throw
   * away its stamp, and a slower, older recount could then write a stale count back.
   */
  private async recountTags(c: GenerationCollections, tags: readonly string[]): Promise<void> {
    await Promise.all(
      union(tags).map(async (tag) => {
        const stamp = await withInsertRetry(() =>
          c.tags.findOneAndUpdate(
            { _id: eqText(tag) },
            { $inc: { seq: 1 }, $setOnInsert: { _id: tag, count: 0, countedSeq: 0 } },
            { upsert: true, returnDocument: 'after', projection: { seq: 1 } },
          ),
        );
        if (!stamp) throw new Error(`mongo read model: tag "${tag}" vanished while being counted`);
        const count = await c.articles.countDocuments({ tagList: eqText(tag) });
        await c.tags.updateOne(
          { _id: eqText(tag), countedSeq: { $lt: stamp.seq } },
          { $set: { count, countedSeq: stamp.seq } },
        );
      }),
    );
  }
}

/**
 * Upserts `key` to `version` when the stored version is older (or there is none); answers
 * false when it is not. A duplicate key means the key is stored at `version` or newer, or
 * that a concurrent insert of the same key won the race; a look at the stored version
 * tells which, and the race case simply tries again.
 */
async function upsertIfNewer<T extends { version: number }>(
  collection: Collection<T>,
  key: Filter<T>,
  version: number,
  set: Partial<T>,
  setOnInsert: Partial<T>,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await collection.updateOne(
        { ...key, version: { $lt: version } } as Filter<T>,
        { $set: { ...set, version }, $setOnInsert: setOnInsert } as never,
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const stored = await collection.findOne(key, { projection: { version: 1 } });
      if (stored && stored.version >= version) return false;
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Runs an upsert again when a concurrent upsert of the same new key inserted it first. */
async function withInsertRetry<R>(write: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
