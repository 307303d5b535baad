import { inject, injectable } from 'inversify';
import type { Document, Filter } from 'mongodb';
import type { ArticleFilter, ArticleReadStore } from '../../application/read-side/article.read-store.js';
import type { Counter } from '../../application/read-side/read-model-rules.js';
import type { ArticleReadModel, ArticleSummaryReadModel } from '../../application/read-side/read-models.js';
import type { Page, Paged } from '../../application/shared/ports.js';
import { Username } from '../../domain/index.js';
import { asText, eqText, inTexts } from './filter-values.js';
import { readCounts } from './mongo-count-ledger.js';
import { MongoActiveCollections, type GenerationCollections } from './mongo-read-database.js';
import type { ArticleDocument } from './read-model.documents.js';
import { ARTICLES_BY_AUTHOR, ARTICLES_BY_TAG } from './read-model.indexes.js';
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

const EMPTY: Paged<ArticleSummaryReadModel> = { items: [], total: 0 };

/** Offsets and limits as non-negative integers (a limit of 0 asks for no items, not "no limit"). */
const bounds = (page: Page): { readonly offset: number; readonly limit: number } => {
  const whole = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
  return { offset: whole(page.offset), limit: whole(page.limit) };
};

/** One filter of the list: the count the projections keep of its matches. */
interface Narrowing {
  readonly counter: Counter;
  /** The articles index to count within when this filter is the narrowest of several; none for a user's favourites. */
  readonly index?: string;
}

/**
 * Articles from `<generation>_articles`, authors embedded and favourite counts stored, so
 * nothing is looked up per item; every `total` comes from the counts the projections
 * maintain (mongo-count-ledger.ts), never from counting the matches. Round trips per call,
 * whatever the page size:
 * - findBySlug, tags: one query;
 * - list with no filter or one: the page and its count, sent together (plus one look-up
 *   of the username key for an author or favouriting-user filter);
 * - list with several filters: the look-up, the filters' counts, then the page and a count
 *   within the narrowest of them (an empty one answers at once);
 * - feed: the followed authors, then the page and their counts, added up.
 */
@injectable()
export class MongoArticleReadStore implements ArticleReadStore {
  constructor(@inject(MongoActiveCollections) private readonly active: MongoActiveCollections) {}

  findBySlug(slug: string): Promise<ArticleReadModel | null> {
    return this.active.read(async ({ articles }) => {
      const doc = await articles.findOne({ slug: eqText(slug) }, { projection: ARTICLE_PROJECTION });
      return doc ? toArticle(doc) : null;
    });
  }

  list(filter: ArticleFilter, page: Page): Promise<Paged<ArticleSummaryReadModel>> {
    return this.active.read(async (c) => {
      const filters = await this.resolve(c, filter);
      if (filters === null) return EMPTY;
      const { match, narrowings, fanId } = filters;
      if (narrowings.length > 1) return this.combined(c, match, page, narrowings, fanId);
      const [items, [total]] = await Promise.all([
        fanId === undefined
          ? this.page(c, match, page)
          : this.favoritedPage(c, fanId, match, page).then((p) => p.items),
        readCounts(c, [narrowings[0]?.counter ?? { kind: 'articles' }]),
      ]);
      return { items, total: total ?? 0 };
    });
  }

  feed(followerId: string, page: Page): Promise<Paged<ArticleSummaryReadModel>> {
    return this.active.read(async (c) => {
      const followed = await c.follows
        .find({ followerId: eqText(followerId), active: { $eq: true } }, { projection: { _id: 0, followeeId: 1 } })
        .toArray();
      if (followed.length === 0) return EMPTY;
      const authors = [...new Set(followed.map((f) => f.followeeId))];
      const [items, counts] = await Promise.all([
        this.page(c, { 'author.id': inTexts(authors) }, page),
        readCounts(
          c,
          authors.map((authorId): Counter => ({ kind: 'author', authorId })),
        ),
      ]);
      return { items, total: counts.reduce((sum, n) => sum + n, 0) };
    });
  }

  tags(): Promise<string[]> {
    return this.active.read(async ({ tags }) => {
      const docs = await tags
        .find({ count: { $gt: 0 } }, { projection: { _id: 1 } })
        .sort({ count: -1, _id: 1 })
        .toArray();
      return docs.map((d) => d._id);
    });
  }

  /**
   * The filter as a match on articles, with the maintained count of each part; null when a
   * name is unknown (then nothing matches). Both names are looked up at once.
   */
  private async resolve(
    c: GenerationCollections,
    filter: ArticleFilter,
  ): Promise<{ match: Filter<ArticleDocument>; narrowings: Narrowing[]; fanId?: string } | null> {
    const match: MutableFilter = {};
    const narrowings: Narrowing[] = [];
    if (filter.tag !== undefined) {
      const tag = asText(filter.tag);
      match.tagList = eqText(tag);
      narrowings.push({ counter: { kind: 'tag', tag }, index: ARTICLES_BY_TAG });
    }
    const authorKey = filter.authorKey === undefined ? undefined : Username.keyOf(asText(filter.authorKey));
    const fanKey = filter.favoritedByKey === undefined ? undefined : Username.keyOf(asText(filter.favoritedByKey));
    const wanted = [authorKey, fanKey].filter((k): k is string => k !== undefined);
    if (wanted.length === 0) return { match, narrowings };
    const found = await c.users
      .find({ usernameKey: inTexts(wanted) }, { projection: { _id: 1, usernameKey: 1 } })
      .toArray();
    const idOf = (k: string | undefined) => (k === undefined ? undefined : found.find((u) => u.usernameKey === k)?._id);
    const authorId = idOf(authorKey);
    const fanId = idOf(fanKey);
    if ((authorKey !== undefined && authorId === undefined) || (fanKey !== undefined && fanId === undefined))
      return null;
    if (authorId !== undefined) {
      match['author.id'] = eqText(authorId);
      narrowings.push({ counter: { kind: 'author', authorId }, index: ARTICLES_BY_AUTHOR });
    }
    if (fanId === undefined) return { match, narrowings };
    narrowings.push({ counter: { kind: 'favorited', userId: fanId } });
    return { match, narrowings, fanId };
  }

  /**
   * Several filters at once: their maintained counts say which one matches fewest
   * articles, and the page and total are computed within that set only — the user's
   * favourites, or the articles of a tag or an author, through its index. A filter that
   * matches nothing answers at once.
   */
  private async combined(
    c: GenerationCollections,
    match: Filter<ArticleDocument>,
    page: Page,
    narrowings: readonly Narrowing[],
    fanId: string | undefined,
  ): Promise<Paged<ArticleSummaryReadModel>> {
    const counts = await readCounts(
      c,
      narrowings.map((n) => n.counter),
    );
    if (counts.some((n) => n <= 0)) return EMPTY;
    const { index } = narrowings[counts.indexOf(Math.min(...counts))]!;
    // The user's favourites are the narrowest set: no index of articles names them.
    if (index === undefined) return this.favoritedPage(c, fanId!, match, page, true);
    if (fanId !== undefined) return this.pageWithFavorite(c, fanId, match, page, index);
    const { offset, limit } = bounds(page);
    const [docs, total] = await Promise.all([
      limit === 0
        ? []
        : c.articles
            .find(match, { projection: SUMMARY_PROJECTION })
            .sort(NEWEST_FIRST)
            .hint(index)
            .skip(offset)
            .limit(limit)
            .toArray(),
      c.articles.countDocuments(match, { hint: index }),
    ]);
    return { items: (docs as SummaryDocument[]).map(toSummary), total };
  }

  /** A page of the articles matching `match`, newest first, in index order. */
  private async page(
    { articles }: GenerationCollections,
    match: Filter<ArticleDocument>,
    page: Page,
  ): Promise<ArticleSummaryReadModel[]> {
    const { offset, limit } = bounds(page);
    if (limit === 0) return [];
    const docs = await articles
      .find(match, { projection: SUMMARY_PROJECTION })
      .sort(NEWEST_FIRST)
      .skip(offset)
      .limit(limit)
      .toArray();
    return (docs as SummaryDocument[]).map(toSummary);
  }

  /**
   * The articles a user favourited (with any other filters), in one aggregation: from that
   * user's active favourites (the pair index), each joined to its article by `_id`, then
   * filtered, sorted and cut into a page; with `counted`, the count beside it in a `$facet`.
   * Its work grows with that one user's favourites (one `_id` probe each), which the
   * caller has made sure is the narrowest set; an `$in` of every favourited id instead
   * would be unbounded, sent over the wire and back.
   */
  private async favoritedPage(
    { articles, favorites }: GenerationCollections,
    fanId: string,
    match: Filter<ArticleDocument>,
    page: Page,
    counted = false,
  ): Promise<Paged<ArticleSummaryReadModel>> {
    const { offset, limit } = bounds(page);
    const items: Document[] = [
      { $sort: NEWEST_FIRST },
      { $skip: offset },
      { $limit: Math.max(1, limit) },
      { $project: SUMMARY_PROJECTION },
    ];
    const [result] = await favorites
      .aggregate<{ items: SummaryDocument[]; total?: { n: number }[] }>(
        [
          { $match: { userId: { $eq: fanId }, active: { $eq: true } } },
          { $lookup: { from: articles.collectionName, localField: 'articleId', foreignField: '_id', as: 'article' } },
          { $unwind: '$article' },
          { $replaceRoot: { newRoot: '$article' } },
          ...(Object.keys(match).length > 0 ? [{ $match: match }] : []),
          { $facet: counted ? { items, total: [{ $count: 'n' }] } : { items } },
        ],
        { allowDiskUse: true },
      )
      .toArray();
    return { items: limit === 0 ? [] : (result?.items ?? []).map(toSummary), total: result?.total?.[0]?.n ?? 0 };
  }

  /**
   * The articles of a tag or an author (the narrowest set, through its index `hint`) that a
   * user favourited: each looked up in that user's favourites by the pair index, then the
   * page and the count in a `$facet`.
   */
  private async pageWithFavorite(
    { articles, favorites }: GenerationCollections,
    fanId: string,
    match: Filter<ArticleDocument>,
    page: Page,
    hint: string,
  ): Promise<Paged<ArticleSummaryReadModel>> {
    const { offset, limit } = bounds(page);
    const [result] = await articles
      .aggregate<{ items: SummaryDocument[]; total: { n: number }[] }>(
        [
          { $match: match },
          { $sort: NEWEST_FIRST },
          {
            $lookup: {
              from: favorites.collectionName,
              localField: '_id',
              foreignField: 'articleId',
              pipeline: [{ $match: { userId: { $eq: fanId }, active: { $eq: true } } }, { $project: { _id: 1 } }],
              as: 'favourite',
            },
          },
          { $match: { 'favourite.0': { $exists: true } } },
          {
            $facet: {
              items: [{ $skip: offset }, { $limit: Math.max(1, limit) }, { $project: SUMMARY_PROJECTION }],
              total: [{ $count: 'n' }],
            },
          },
        ],
        { hint, allowDiskUse: true },
      )
      .toArray();
    return { items: limit === 0 ? [] : (result?.items ?? []).map(toSummary), total: result?.total[0]?.n ?? 0 };
  }
}
