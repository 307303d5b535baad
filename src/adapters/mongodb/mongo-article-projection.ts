import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import { articleCountDeltas, NotProjectedYet } from '../../application/read-side/read-model-rules.js';
import { asText, eqText, toDate } from './filter-values.js';
import { isTombstoned, settleDeletion } from './mongo-article-deletion.js';
import { pendingFor, settlePending } from './mongo-count-ledger.js';
import { asVersion, isDuplicateKey, key, MAX_ATTEMPTS, newOperationId, upsertIfNewer } from './mongo-guarded-writes.js';
import type { GenerationCollections } from './mongo-read-database.js';
import { AUTHOR_FIELDS, embedded, refreshCopy } from './mongo-user-projection.js';
import type { ArticleDocument } from './read-model.documents.js';

type ArticleChange = Extract<ReadModelChange, { kind: 'article' }>;
type ArticleDeletedChange = Extract<ReadModelChange, { kind: 'article-deleted' }>;

/** What an article write stores, but for its counts and bookkeeping. */
type ArticleFields = Pick<
  ArticleDocument,
  'slug' | 'title' | 'description' | 'body' | 'tagList' | 'createdAt' | 'updatedAt' | 'author' | 'authorVersion'
>;

const STATE_FIELDS = { version: 1, 'author.id': 1, tagList: 1, pending: 1 } as const;

/**
 * ArticlePublished / ArticleUpdated: the article in the given version, if newer than the
 * stored one, with every count it is in (all articles, its author's, each tag's) moved by
 * the deltas of the stored state before and after (mongo-count-ledger.ts).
 *
 * Write, then check: the tombstone is read before the write and again after it, so an
 * update that lands after a concurrent deletion swept is swept too; and the embedded
 * author is refreshed after the write if the user moved on meanwhile (see upsertUser).
 * A repeat redoes these checks: the writer that applied it may have died before them.
 */
export async function projectArticle(c: GenerationCollections, change: ArticleChange): Promise<void> {
  const { article } = change;
  const id = key(article.articleId);
  const version = asVersion(change.version);
  const authorId = key(article.authorId);
  const [author, deleted] = await Promise.all([
    c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
    isTombstoned(c, id),
  ]);
  if (deleted) return settleDeletion(c, id);
  // Users are projected before what they write; the projector retries until it is there.
  if (!author)
    throw new NotProjectedYet(`mongo read model: article ${id} is by user ${authorId}, who is not stored yet`);

  const fields: ArticleFields = {
    slug: asText(article.slug),
    title: asText(article.title),
    description: asText(article.description),
    body: asText(article.body),
    tagList: article.tagList.map(asText),
    createdAt: toDate(article.createdAt),
    updatedAt: toDate(article.updatedAt),
    author: embedded(author),
    authorVersion: author.version,
  };
  const outcome = await writeArticle(c, id, version, fields);
  if (outcome === 'removed') return settleDeletion(c, id);

  const [deletedSince, authorNow] = await Promise.all([
    isTombstoned(c, id),
    c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
  ]);
  if (deletedSince) return settleDeletion(c, id);
  if (authorNow) await refreshCopy(c.articles, id, authorNow);
}

/**
 * The compare-and-set of step 1 (mongo-count-ledger.ts): reads the stored state, settles a
 * change still pending on it, and writes the new version with its deltas in one update
 * guarded by the version read. Answers 'written', 'stale' (the stored version is as new or
 * newer), or 'removed' (a deletion was pending on it and is now done).
 */
async function writeArticle(
  c: GenerationCollections,
  id: string,
  version: number,
  fields: ArticleFields,
): Promise<'written' | 'stale' | 'removed'> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await c.articles.findOne({ _id: id }, { projection: STATE_FIELDS });
    if (stored?.pending) {
      await settlePending(c, { articleId: id }, stored.pending);
      if (stored.pending.remove === true) return 'removed';
      continue;
    }
    if (stored && stored.version >= version) return 'stale';
    const before = stored ? { authorId: stored.author.id, tagList: stored.tagList } : null;
    const deltas = articleCountDeltas(before, { authorId: fields.author.id, tagList: fields.tagList });
    const pending = pendingFor(newOperationId(), deltas);
    try {
      if (stored === null) {
        await c.articles.insertOne({ _id: id, ...fields, favoritesCount: 0, version, ...(pending ? { pending } : {}) });
      } else {
        const written = await c.articles.updateOne(
          { _id: id, version: { $eq: stored.version }, pending: { $exists: false } },
          { $set: { ...fields, version, ...(pending ? { pending } : {}) } },
        );
        if (written.matchedCount === 0) continue;
      }
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const holder = await c.articles.findOne(
        { slug: eqText(fields.slug), _id: { $ne: id } },
        { projection: { _id: 1 } },
      );
      // Another article still holds the slug: its own rename is not projected yet.
      if (holder)
        throw new NotProjectedYet(`mongo read model: slug "${fields.slug}" still belongs to article ${holder._id}`);
      continue; // a concurrent insert of this article won: look again
    }
    if (pending) await settlePending(c, { articleId: id }, pending);
    return 'written';
  }
  throw new Error(`mongo read model: article ${id} kept changing while being written`);
}

/**
 * ArticleDeleted: the tombstone first — from then on nothing of this article can be added
 * for good — then the article and what belongs to it (settleDeletion). A deletion older
 * than the stored article is ignored.
 */
export async function projectArticleDeleted(c: GenerationCollections, change: ArticleDeletedChange): Promise<void> {
  const id = key(change.articleId);
  const version = asVersion(change.version);
  const stored = await c.articles.findOne({ _id: id }, { projection: { version: 1 } });
  if (stored && stored.version >= version) return;
  await upsertIfNewer(c.articleTombstones, { _id: id }, version, {});
  await settleDeletion(c, id);
}
