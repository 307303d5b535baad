import type { CommandStartedEvent, Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectionName } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { READ_COLLECTIONS, type ReadCollectionRole } from '../../../src/adapters/mongodb/read-model.documents.js';
import { READ_MODEL_INDEXES } from '../../../src/adapters/mongodb/read-model.indexes.js';
import { aComment, anArticle, aUser, givenArticle, givenUsers } from '../../contract/read-store/read-store.fixtures.js';
import { openTestMongo, type TestMongo } from '../../support/mongo.js';
import { freshGeneration, mongoSide, type MongoSide } from './mongo-stores.js';

const PAGE = { limit: 20, offset: 0 };

const server = process.env.MONGO_URL ? 'MONGO_URL' : 'emulator';

describe(`Mongo read stores: round trips, operator injection, indexes (${server})`, () => {
  let mongo: TestMongo;
  let side: MongoSide;
  /** Commands sent to the generation's collections (the cached rm_meta pointer read is not a query's cost). */
  const sent: { name: string; collection: unknown }[] = [];

  beforeAll(async () => {
    mongo = await openTestMongo('queries', { driverOptions: { monitorCommands: true } });
    side = mongoSide(mongo.orm);
    mongo.orm.em
      .getConnection()
      .getClient()
      .on('commandStarted', (event: CommandStartedEvent) => {
        const collection = event.command[event.commandName] as unknown;
        if (typeof collection === 'string' && collection.startsWith('g1_'))
          sent.push({ name: event.commandName, collection });
      });
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => freshGeneration(side));

  /** The commands `work` sends to the read collections. */
  async function commandsOf(work: () => Promise<unknown>): Promise<string[]> {
    await side.db.activeGeneration(); // the pointer is cached: a query's own commands only
    sent.length = 0;
    await work();
    return sent.map((c) => `${c.name} ${String(c.collection).replace(/^g1_/, '')}`);
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

      expect(
        await commandsOf(async () => {
          listed = (await side.articles.list({ tag: 't' }, page)).items;
        }),
      ).toEqual(['find articles', 'aggregate articles']); // the page, and countDocuments
      expect(listed).toHaveLength(limit);
      expect(await commandsOf(() => side.articles.list({ authorKey: author!.username }, page))).toEqual([
        'find users',
        'find articles',
        'aggregate articles',
      ]);
      expect(
        await commandsOf(() =>
          side.articles.list({ tag: 't', authorKey: author!.username, favoritedByKey: fan!.username }, page),
        ),
      ).toEqual(['find users', 'aggregate favorites']); // both names at once, then page and count in a $facet
      expect(await commandsOf(() => side.articles.feed(viewer!.id, page))).toEqual([
        'find follows',
        'find articles',
        'aggregate articles',
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
        expect(await side.comments.findById(as<number>(value))).toBeNull();
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
      await side.admin.prepare('g1');
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
        [
          'favourites recount',
          () => of('favorites').find({ articleId: { $eq: 'x' }, active: { $eq: true } }).explain(),
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
