import { inject, injectable } from 'inversify';
import type { Filter } from 'mongodb';
import type { ArticleFilter, ArticleReadStore } from '../../application/articles/article.read-store.js';
import type { StoredArticle, StoredArticleSummary } from '../../application/read-model/stored.js';
import type { Page, Paged } from '../../application/shared/ports.js';
import { Username } from '../../domain/index.js';
import { asText, eqText, inTexts } from './filter-values.js';
import { MongoReadDatabase, type GenerationCollections } from './mongo-read-database.js';
import type { ArticleDocument } from './read-model.documents.js';
import {
  ARTICLE_PROJECTION,
  SUMMARY_PROJECTION,
  toArticle,
  toSummary,
  type SummaryDocument,
} from './read-model.mapping.js';

/** Newest first; `_id` breaks ties so that consecutive pages neither repeat nor skip. Matches the indexes. */
const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/** The article filter a list builds up, field by field (the driver's Filter type is read-only). */
type MutableFilter = { -readonly [K in keyof Filter<ArticleDocument>]: Filter<ArticleDocument>[K] };

const EMPTY: Paged<StoredArticleSummary> = { items: [], total: 0 };

/** Offsets and limits as non-negative integers (a limit of 0 asks for no items, not "no limit"). */
const bounds = (page: Page): { readonly offset: number; readonly limit: number } => {
  const whole = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
  return { offset: whole(page.offset), limit: whole(page.limit) };
};

/**
 * Articles from `<generation>_articles`, authors embedded and favourite counts stored, so
 * nothing is looked up per item. Round trips per call, whatever the page size:
 * - findBySlug, tags: one query;
 * - list without user filters: the page and its count, sent together;
 * - list by author: one look-up of the username key, then page and count;
 * - list by favouriting user: one look-up, then one aggregation (page and count in a $facet);
 * - feed: the followed authors, then page and count (`$in` over them, merged in index order).
 */
@injectable()
export class MongoArticleReadStore implements ArticleReadStore {
  constructor(@inject(MongoReadDatabase) private readonly db: MongoReadDatabase) {}

  async findBySlug(slug: string): Promise<StoredArticle | null> {
    const { articles } = await this.db.active();
    const doc = await articles.findOne({ slug: eqText(slug) }, { projection: ARTICLE_PROJECTION });
    return doc ? toArticle(doc) : null;
  }

  async list(filter: ArticleFilter, page: Page): Promise<Paged<StoredArticleSummary>> {
    const collections = await this.db.active();
    const match: MutableFilter = {};
    if (filter.tag !== undefined) match.tagList = eqText(filter.tag);

    const authorKey = filter.authorKey === undefined ? undefined : Username.keyOf(asText(filter.authorKey));
    const fanKey = filter.favoritedByKey === undefined ? undefined : Username.keyOf(asText(filter.favoritedByKey));
    const wanted = [authorKey, fanKey].filter((key): key is string => key !== undefined);
    if (wanted.length === 0) return this.page(collections, match, page);

    // Both names in one look-up; an unknown name matches no article at all.
    const found = await collections.users
      .find({ usernameKey: inTexts(wanted) }, { projection: { _id: 1, usernameKey: 1 } })
      .toArray();
    const idOf = (key: string | undefined): string | undefined => found.find((u) => u.usernameKey === key)?._id;
    const authorId = idOf(authorKey);
    const fanId = idOf(fanKey);
    if ((authorKey !== undefined && authorId === undefined) || (fanKey !== undefined && fanId === undefined))
      return EMPTY;
    if (authorId !== undefined) match['author.id'] = { $eq: authorId };
    return fanId === undefined
      ? this.page(collections, match, page)
      : this.favoritedBy(collections, fanId, match, page);
  }

  async feed(followerId: string, page: Page): Promise<Paged<StoredArticleSummary>> {
    const collections = await this.db.active();
    const followed = await collections.follows
      .find({ followerId: eqText(followerId), active: { $eq: true } }, { projection: { _id: 0, followeeId: 1 } })
      .toArray();
    if (followed.length === 0) return EMPTY;
    return this.page(collections, { 'author.id': inTexts(followed.map((f) => f.followeeId)) }, page);
  }

  async tags(): Promise<string[]> {
    const { tags } = await this.db.active();
    // Tags no article uses keep their document at count 0 (see the writer) and are skipped here.
    const docs = await tags
      .find({ count: { $gt: 0 } }, { projection: { _id: 1 } })
      .sort({ count: -1, _id: 1 })
      .toArray();
    return docs.map((d) => d._id);
  }

  /** The page and its count, sent at once: two queries, one wait. */
  private async page(
    { articles }: GenerationCollections,
    match: Filter<ArticleDocument>,
    page: Page,
  ): Promise<Paged<StoredArticleSummary>> {
    const { offset, limit } = bounds(page);
    const [docs, total] = await Promise.all([
      limit === 0
        ? Promise.resolve([])
        : articles
            .find(match, { projection: SUMMARY_PROJECTION })
            .sort(NEWEST_FIRST)
            .skip(offset)
            .limit(limit)
            .toArray(),
      articles.countDocuments(match),
    ]);
    return { items: (docs as SummaryDocument[]).map(toSummary), total };
  }

  /**
   * The articles a user favourited, with any other filters, in one aggregation: from that
   * user's active favourites (the pair index), each joined to its article by `_id`, then
   * filtered, sorted and cut into a page, with the count beside it in a `$facet`.
   *
   * Why not two steps (favourite ids, then `$in`)? The `$in` would hold every article the
   * user ever favourited, unbounded, sent over the wire and back; paging on the favourites
   * side would only work without the other filters and would need each article's date
   * copied into its favourites. The aggregation's work grows with that one user's
   * favourites (one `_id` probe each), which is what the SQL store's sub-select does too.
   */
  private async favoritedBy(
    { articles, favorites }: GenerationCollections,
    fanId: string,
    match: Filter<ArticleDocument>,
    page: Page,
  ): Promise<Paged<StoredArticleSummary>> {
    const { offset, limit } = bounds(page);
    const [result] = await favorites
      .aggregate<{ items: SummaryDocument[]; total: { n: number }[] }>(
        [
          { $match: { userId: { $eq: fanId }, active: { $eq: true } } },
          { $lookup: { from: articles.collectionName, localField: 'articleId', foreignField: '_id', as: 'article' } },
          { $unwind: '$article' },
          { $replaceRoot: { newRoot: '$article' } },
          ...(Object.keys(match).length > 0 ? [{ $match: match }] : []),
          {
            $facet: {
              items: [
                { $sort: NEWEST_FIRST },
                { $skip: offset },
                { $limit: Math.max(1, limit) },
                { $project: SUMMARY_PROJECTION },
              ],
              total: [{ $count: 'n' }],
            },
          },
        ],
        { allowDiskUse: true },
      )
      .toArray();
    const items = limit === 0 ? [] : (result?.items ?? []);
    return { items: items.map(toSummary), total: result?.total[0]?.n ?? 0 };
  }
}
