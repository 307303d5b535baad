import {
  articleCountDeltas,
  NotProjectedYet,
  removedFavoritesDeltas,
} from '../../application/read-side/read-model-rules.js';
import { eqText } from './filter-values.js';
import { pendingFor, settlePending } from './mongo-count-ledger.js';
import { forEachLimited, key, MAX_ATTEMPTS, newOperationId } from './mongo-guarded-writes.js';
import type { GenerationCollections } from './mongo-read-database.js';
import type { FavoriteDocument, PendingCounts } from './read-model.documents.js';

/** Favourites of a deleted article removed at once; the rest wait for the next round. */
const SWEEP_BATCH = 500;
const SWEEP_CONCURRENCY = 16;

/**
 * The article is stored (true), deleted (false: what belongs to it is to be dropped), or
 * neither yet: then NotProjectedYet, and the projector retries the change later.
 *
 * The tombstone is read only after the article was found missing, never alongside: a
 * deletion writes its tombstone before it removes the article, so an article missing at
 * one instant and no tombstone at a later one means the article was not there at all. (A
 * deletion that starts after the article was found is caught by the caller's check after
 * its own write.)
 */
export async function articleIsStored(c: GenerationCollections, articleId: string, what: string): Promise<boolean> {
  if (await c.articles.findOne({ _id: key(articleId) }, { projection: { _id: 1 } })) return true;
  if (await isTombstoned(c, articleId)) return false;
  throw new NotProjectedYet(`mongo read model: ${what} is about article ${articleId}, which is not stored yet`);
}

export const isTombstoned = async (c: GenerationCollections, articleId: string): Promise<boolean> =>
  (await c.articleTombstones.findOne({ _id: eqText(articleId) }, { projection: { _id: 1 } })) !== null;

/**
 * Removes a tombstoned article and everything of it, each part with its counts: the
 * article (every total it is in, one fewer), its favourites (each favouriting user's
 * total, one fewer) and its comments. Idempotent; safe to run any number of times,
 * concurrently, and after a crash at any point. Writers of an article's content call it
 * after their own write when they find the tombstone, so content that landed after a
 * deletion swept does not outlive it.
 */
export async function settleDeletion(c: GenerationCollections, articleId: string): Promise<void> {
  const id = key(articleId);
  await removeArticleDocument(c, id);
  await sweepFavorites(c, id);
  await c.comments.deleteMany({ articleId: eqText(id) });
}

async function removeArticleDocument(c: GenerationCollections, id: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const doc = await c.articles.findOne(
      { _id: id },
      { projection: { version: 1, 'author.id': 1, tagList: 1, pending: 1 } },
    );
    if (!doc) return;
    if (doc.pending) {
      await settlePending(c, { articleId: id }, doc.pending);
      continue;
    }
    const deltas = articleCountDeltas({ authorId: doc.author.id, tagList: doc.tagList }, null);
    const pending = pendingFor(newOperationId(), deltas, true)!;
    const marked = await c.articles.updateOne(
      { _id: id, version: { $eq: doc.version }, pending: { $exists: false } },
      { $set: { pending } },
    );
    if (marked.matchedCount === 1) return settlePending(c, { articleId: id }, pending);
  }
  throw new Error(`mongo read model: article ${id} kept changing while being deleted`);
}

async function sweepFavorites(c: GenerationCollections, articleId: string): Promise<void> {
  for (;;) {
    const batch = await c.favorites
      .find(
        { articleId: eqText(articleId) },
        { projection: { _id: 0, userId: 1, articleId: 1, active: 1, version: 1, pending: 1 } },
      )
      .limit(SWEEP_BATCH)
      .toArray();
    if (batch.length === 0) return;
    await forEachLimited(batch, SWEEP_CONCURRENCY, (favourite) => removeFavorite(c, favourite));
  }
}

type StoredFavorite = Pick<FavoriteDocument, 'userId' | 'articleId' | 'active' | 'version' | 'pending'>;

/**
 * Removes one favourite of a deleted article, and counts its user one fewer if it was
 * active: the same protocol as any other change of it (mongo-count-ledger.ts), with a
 * removal as the change. It is switched off in the same write, so it stops showing at once.
 */
async function removeFavorite(c: GenerationCollections, found: StoredFavorite): Promise<void> {
  const pair = { userId: key(found.userId), articleId: key(found.articleId) };
  let doc: StoredFavorite | null = found;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (doc === null) return;
    if (doc.pending) {
      await settlePending(c, pair, doc.pending);
      if (doc.pending.remove === true) return;
    } else {
      const pending: PendingCounts = pendingFor(
        newOperationId(),
        removedFavoritesDeltas(doc.active ? [pair.userId] : []),
        true,
      )!;
      const marked = await c.favorites.updateOne(
        { ...pair, version: { $eq: doc.version }, pending: { $exists: false } },
        { $set: { active: false, pending } },
      );
      if (marked.matchedCount === 1) return settlePending(c, pair, pending);
    }
    doc = await c.favorites.findOne(pair, {
      projection: { _id: 0, userId: 1, articleId: 1, active: 1, version: 1, pending: 1 },
    });
  }
  throw new Error(`mongo read model: favourite ${pair.userId} → ${pair.articleId} kept changing while being removed`);
}
