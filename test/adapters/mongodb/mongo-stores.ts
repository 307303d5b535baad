import { emptyGeneration } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { GENERATION_MARKER } from '../../../src/adapters/mongodb/read-model.documents.js';
import type { MongoReadSide } from '../../support/mongo.js';

/** Prepares and activates `generation` (idempotent), empty, and makes this side serve it at once. */
export async function freshGeneration(side: MongoReadSide, generation = 'g1'): Promise<void> {
  await side.generations.prepare(generation);
  if ((await side.generations.activeGeneration()) !== generation) await side.generations.activate(generation, 0);
  side.active.forget();
  await emptyGeneration(side.db.collections(generation));
}

/** Every maintained count of a generation, by counter key; zeros left out. */
export type CountsByKey = Record<string, number>;

/**
 * The maintained counts as stored, beside the same counts recounted from the documents
 * (what they must equal), and how many documents still have a change pending.
 */
export async function auditCounts(
  side: MongoReadSide,
  generation = 'g1',
): Promise<{ stored: CountsByKey; recounted: CountsByKey; pending: number }> {
  const c = side.db.collections(generation);
  const [articles, favorites, counts, tags] = await Promise.all([
    c.articles.find({}).toArray(),
    c.favorites.find({}).toArray(),
    c.counts.find({ _id: { $ne: GENERATION_MARKER } }).toArray(),
    c.tags.find({}).toArray(),
  ]);
  const recounted: CountsByKey = {};
  const add = (key: string) => (recounted[key] = (recounted[key] ?? 0) + 1);
  const stored: CountsByKey = {};
  const keep = (key: string, n: number) => {
    if (n !== 0) stored[key] = n;
  };
  const live = new Set(articles.map((a) => a._id));
  for (const article of articles) {
    add('articles');
    add(`author:${article.author.id}`);
    for (const tag of article.tagList) add(`tag:${tag}`);
    keep(`favorites:${article._id}`, article.favoritesCount);
  }
  for (const favourite of favorites)
    if (favourite.active && live.has(favourite.articleId)) {
      add(`favorites:${favourite.articleId}`);
      add(`favorited:${favourite.userId}`);
    }
  for (const count of counts) keep(count._id, count.count);
  for (const tag of tags) keep(`tag:${tag._id}`, tag.count);
  const pending = [...articles, ...favorites].filter((doc) => doc.pending !== undefined).length;
  return { stored, recounted, pending };
}
