import type { CommandStartedEvent, Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectionName } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { READ_COLLECTIONS, type ReadCollectionRole } from '../../../src/adapters/mongodb/read-model.documents.js';
import { READ_MODEL_INDEXES } from '../../../src/adapters/mongodb/read-model.indexes.js';
import type { ArticleFilter } from '../../../src/application/read-side/article.read-store.js';
import { aComment, anArticle, aUser, givenArticle, givenUsers } from '../../contract/read-store/read-store.fixtures.js';
import { mongoReadSide, mongoSource, openTestMongo, type MongoReadSide, type TestMongo } from '../../support/mongo.js';
import { freshGeneration } from './mongo-stores.js';

const PAGE = { limit: 20, offset: 0 };

describe(`Mongo read stores: round trips, maintained totals, operator injection, indexes (${mongoSource()})`, () => {
  let mongo: TestMongo;
  let side: MongoReadSide;
  /** Commands sent to the generation's collections (the cached rm_meta pointer read is not a query's cost). */
  const sent: { name: string; collection: string; hint: unknown }[] = [];

  beforeAll(async () => {
    mongo = await openTestMongo('queries', { driverOptions: { monitorCommands: true } });
    side = mongoReadSide(mongo.orm);
    mongo.orm.em
      .getConnection()
      .getClient()
      .on('commandStarted', (event: CommandStartedEvent) => {
        const collection = event.command[event.commandName] as unknown;
        if (typeof collection === 'string' && collection.startsWith('g1_'))
          sent.push({ name: event.commandName, collection: collection.replace(/^g1_/, ''), hint: event.command.hint });
      });
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => freshGeneration(side));

  /** The commands `work` sends to the read collections, in the order sent (parallel ones sorted). */
  async function commandsOf(work: () => Promise<unknown>): Promise<string[]> {
    await side.active.current(); // the pointer is cached: a query's own commands only
    sent.length = 0;
    await work();
    return sent.map((c) => `${c.name} ${c.collection}`);
  }

  describe('round trips per query, whatever the page size', () => {
    it.each([1, 20])('with pages of %i', async (limit) => {
      const [author, fan, viewer] = await givenUsers(side, 3);
      for (let i = 0; i < 25; i++) {
        const article = await givenArticle(side, author!, { tagList: ['t'] });
        await side.writer.setFavorite(fan!.id, article.id, true, 1);
        await side.writer.addComment(aComment(article, fan!));
      }
      await side.writer.setFollow(viewer!.id, author!.id, true, 1);
      const page = { limit, offset: 0 };
      let listed: readonly { id: string; slug: string }[] = [];

      const sorted = async (work: () => Promise<unknown>) => (await commandsOf(work)).sort();
      // Every total is a maintained count, read beside the page: never a count of the matches.
      expect(
        await sorted(async () => {
          listed = (await side.articles.list({ tag: 't' }, page)).items;
        }),
      ).toEqual(['find articles', 'find tags']);
      expect(listed).toHaveLength(limit);
      expect(await sorted(() => side.articles.list({}, page))).toEqual(['find articles', 'find counts']);
      expect(await sorted(() => side.articles.list({ authorKey: author!.username }, page))).toEqual([
        'find articles',
        'find counts',
        'find users',
      ]);
      expect(await sorted(() => side.articles.list({ favoritedByKey: fan!.username }, page))).toEqual([
        'aggregate favorites',
        'find counts',
        'find users',
      ]);
      // Both names at once, the three counts, then the page and its count within the narrowest set.
      expect(
        await sorted(() =>
          side.articles.list({ tag: 't', authorKey: author!.username, favoritedByKey: fan!.username }, page),
        ),
      ).toEqual(['aggregate articles', 'find counts', 'find tags', 'find users']);
      expect(await sorted(() => side.articles.feed(viewer!.id, page))).toEqual([
        'find articles',
        'find counts',
        'find follows',
      ]);
      expect(await commandsOf(() => side.relationships.favoritedAmong(fan!.id, listed.map((a) => a.id)))).toEqual([
        'find favorites',
      ]);
      expect(await commandsOf(() => side.relationships.followedAmong(viewer!.id, [author!.id]))).toEqual([
        'find follows',
      ]);
      expect(await commandsOf(() => side.articles.findBySlug(listed[0]!.slug))).toEqual(['find articles']);
      expect(await commandsOf(() => side.articles.tags())).toEqual(['find tags']);
      expect(await commandsOf(() => side.comments.listByArticle(listed[0]!.id))).toEqual(['find comments']);
      expect(await commandsOf(() => side.users.findProfileByUsernameKey(author!.username))).toEqual(['find users']);
    });

    it('counts combined filters within the narrowest maintained set, or not at all if one is empty', async () => {
      const [prolific, rare, fan] = await givenUsers(side, 3);
      const many = [];
      for (let i = 0; i < 6; i++) many.push(await givenArticle(side, prolific!, { tagList: ['common'] }));
      const few = [await givenArticle(side, rare!, { tagList: ['common'] }), await givenArticle(side, rare!)];
      for (const article of [...few, many[0]!]) await side.writer.setFavorite(fan!.id, article.id, true, 1);
      const total = async (filter: ArticleFilter) => (await side.articles.list(filter, PAGE)).total;
      /** What a list sends for its page and its count, with the index each names. */
      const pageAndCount = async (filter: ArticleFilter) => {
        await commandsOf(() => side.articles.list(filter, PAGE));
        return sent
          .filter((c) => c.collection === 'articles' || c.name === 'aggregate')
          .map((c) => `${c.name} ${c.collection}${c.hint === undefined ? '' : ` ${String(c.hint)}`}`)
          .sort();
      };
      const common = { tag: 'common' };
      const byRare = { authorKey: rare!.username };
      const byFan = { favoritedByKey: fan!.username };

      // 7 "common", 2 by rare: the page and the count within rare's articles.
      expect(await pageAndCount({ ...common, ...byRare })).toEqual([
        'aggregate articles author_newest',
        'find articles author_newest',
      ]);
      expect(await total({ ...common, ...byRare })).toBe(1);
      // 7 "common", 3 favourited by fan: within the fan's favourites.
      expect(await pageAndCount({ ...common, ...byFan })).toEqual(['aggregate favorites']);
      expect(await total({ ...common, ...byFan })).toBe(2);
      expect(await total({ authorKey: prolific!.username, ...byFan })).toBe(1);
      // 2 by rare, 3 favourited: within rare's articles, each looked up among the fan's favourites.
      expect(await pageAndCount({ ...byRare, ...byFan })).toEqual(['aggregate articles author_newest']);
      expect(await total({ ...byRare, ...byFan })).toBe(2);
      // A tag nobody uses: its count answers, no article is read.
      expect(await pageAndCount({ tag: 'unused', ...byRare })).toEqual([]);
      expect(await total({ tag: 'unused', ...byRare })).toBe(0);
    });

    it('rewrites every embedded copy of a renamed author with one updateMany per collection', async () => {
      const [author] = await givenUsers(side, 1);
      const first = await givenArticle(side, author!);
      for (let i = 0; i < 30; i++) {
        await givenArticle(side, author!);
        await side.writer.addComment(aComment(first, author!));
      }
      const commands = await commandsOf(() => side.writer.upsertUser({ ...author!, username: 'renamed', version: 2 }));
      expect(commands.filter((c) => c.startsWith('update'))).toEqual(['update articles', 'update comments']);
      expect((await side.articles.list({ authorKey: 'renamed' }, { limit: 50, offset: 0 })).total).toBe(31);
    });
  });

  describe('operator injection', () => {
    /** Request-shaped values that would widen a filter if they ever became one. */
    const hostile: unknown[] = [
      '{"$ne":null}',
      '{"$gt":""}',
      '{"$regex":".*"}',
      '$where',
      { $ne: null },
      { $gt: '' },
      { $regex: '.*' },
      { $exists: true },
      ['jake'],
      { toString: () => 'jake' },
    ];
    const as = <T>(value: unknown): T => value as T;

    it('matches nothing with values that look like, or are, operators', async () => {
      const jake = aUser({ username: 'jake' });
      await side.writer.upsertUser(jake);
      const [fan] = await givenUsers(side, 1);
      const article = await givenArticle(side, jake, { tagList: ['dragons'] });
      await side.writer.setFavorite(fan!.id, article.id, true, 1);
      await side.writer.setFollow(fan!.id, jake.id, true, 1);
      await side.writer.addComment(aComment(article, fan!));
      const none = { items: [], total: 0 };

      for (const value of hostile) {
        const text = as<string>(value);
        expect(await side.users.findById(text)).toBeNull();
        expect(await side.articles.findBySlug(text)).toBeNull();
        expect(await side.articles.list({ tag: text }, PAGE)).toEqual(none);
        expect(await side.articles.list({ favoritedByKey: text }, PAGE)).toEqual(none);
        expect(await side.articles.feed(text, PAGE)).toEqual(none);
        expect(await side.comments.listByArticle(text)).toEqual([]);
        expect((await side.relationships.followedAmong(text, [jake.id])).size).toBe(0);
        expect((await side.relationships.followedAmong(fan!.id, [text])).size).toBe(0);
        expect((await side.relationships.favoritedAmong(fan!.id, [text])).size).toBe(0);
        // Only an object whose String() is a real name can find it: it is compared as that text.
        const byName = String(value) === 'jake' ? 1 : 0;
        expect((await side.articles.list({ authorKey: text }, PAGE)).total).toBe(byName);
        expect((await side.users.findProfileByUsernameKey(text)) === null).toBe(byName === 0);
      }
    });

    it('stores operator-looking text as data and finds it only by that exact text', async () => {
      const odd = aUser({ username: '$ne', bio: '{"$gt":""}' });
      await side.writer.upsertUser(odd);
      const tagList = ['$where', 'a.b', '{"$gt":""}'];
      await side.writer.upsertArticle(anArticle(odd, { slug: '{"$ne":null}', tagList }));
      expect((await side.users.findProfileByUsernameKey('$ne'))?.bio).toBe('{"$gt":""}');
      expect((await side.articles.findBySlug('{"$ne":null}'))?.tagList).toEqual(['$where', 'a.b', '{"$gt":""}']);
      expect((await side.articles.list({ tag: '$where' }, PAGE)).total).toBe(1);
      expect((await side.articles.list({ tag: 'a.b' }, PAGE)).total).toBe(1);
      expect(await side.articles.tags()).toEqual(['$where', 'a.b', '{"$gt":""}']);
      expect(await side.articles.findBySlug('{"$ne": null}')).toBeNull();
    });
  });

  describe('indexes', () => {
    const roles = Object.keys(READ_COLLECTIONS) as ReadCollectionRole[];

    it('prepare creates every index of the generation, and running it again changes nothing', async () => {
      await side.generations.prepare('g1');
      for (const role of roles) {
        const present = await mongo.orm.em
          .getConnection()
          .getDb()
          .collection(collectionName('g1', role))
          .listIndexes()
          .toArray()
          .catch(() => [] as Document[]);
        for (const wanted of READ_MODEL_INDEXES[role]) {
          const found = present.find((index) => index.name === wanted.name);
          expect(found, `${role}.${wanted.name}`).toBeDefined();
          expect(found?.key).toEqual(wanted.key);
          expect(Boolean(found?.unique)).toBe(Boolean(wanted.unique));
        }
      }
    });

    /**
     * The query shapes the stores send, each of which must be answered from an index in
     * index order: no collection scan, no in-memory sort. Needs `explain`, which a real
     * server has and the emulator lacks (the test is skipped there).
     */
    it('serves every query from an index, in index order (real server only)', async (context) => {
      const db = mongo.orm.em.getConnection().getDb();
      const of = (role: ReadCollectionRole) => db.collection(collectionName('g1', role));
      const newest = { createdAt: -1, _id: -1 } as const;
      const shapes: [string, () => Promise<Document>][] = [
        ['global list', () => of('articles').find({}).sort(newest).limit(20).explain()],
        ['by tag', () => of('articles').find({ tagList: { $eq: 't' } }).sort(newest).limit(20).explain()],
        ['by author', () => of('articles').find({ 'author.id': { $eq: 'x' } }).sort(newest).limit(20).explain()],
        ['feed', () => of('articles').find({ 'author.id': { $in: ['x', 'y'] } }).sort(newest).limit(20).explain()],
        ['slug', () => of('articles').find({ slug: { $eq: 's' } }).explain()],
        [
          'comments of an article',
          () => of('comments').find({ articleId: { $eq: 'x' } }).sort({ createdAt: 1, _id: 1 }).explain(),
        ],
        ['popular tags', () => of('tags').find({ count: { $gt: 0 } }).sort({ count: -1, _id: 1 }).explain()],
        [
          'favourites of a user',
          () => of('favorites').find({ userId: { $eq: 'x' }, active: { $eq: true } }).explain(),
        ],
        ['favourites of a deleted article', () => of('favorites').find({ articleId: { $eq: 'x' } }).explain()],
        [
          'a user\'s favourite of one article (the join of a combined filter)',
          () => of('favorites').find({ articleId: { $eq: 'x' }, userId: { $eq: 'y' }, active: { $eq: true } }).explain(),
        ],
        [
          'follows of a viewer',
          () =>
            of('follows')
              .find({ followerId: { $eq: 'x' }, followeeId: { $in: ['y'] }, active: { $eq: true } })
              .explain(),
        ],
        ['profile', () => of('users').find({ usernameKey: { $eq: 'x' } }).explain()],
      ];
      for (const [name, explain] of shapes) {
        let plan: Document;
        try {
          plan = await explain();
        } catch (error) {
          if ((error as { code?: unknown }).code === 59) return context.skip(); // the emulator: no explain
          throw error;
        }
        const winning = JSON.stringify(plan.queryPlanner?.winningPlan ?? plan);
        expect(winning, name).toContain('IXSCAN');
        expect(winning, name).not.toContain('COLLSCAN');
        expect(winning, name).not.toMatch(/"stage":"SORT"/);
      }
    });
  });
});
