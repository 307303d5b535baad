import { Collection } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotProjectedYet } from '../../../src/application/read-side/read-model-rules.js';
import {
  aComment,
  anArticle,
  aUser,
  givenArticle,
  givenUsers,
  newId,
} from '../../contract/read-store/read-store.fixtures.js';
import { mongoReadSide, mongoSource, openTestMongo, type MongoReadSide, type TestMongo } from '../../support/mongo.js';
import { auditCounts, freshGeneration } from './mongo-stores.js';

const PAGE = { limit: 100, offset: 0 };

/**
 * The writer's guarantees that the shared contract cannot show: several writers on
 * separate connections (as several projector processes are), writes that land around a
 * concurrent deletion, and the rule that content of an article not projected yet is
 * refused. The counter protocol itself has its own file (mongo-count-ledger.test.ts).
 */
describe(`MongoReadModelWriter (${mongoSource()})`, () => {
  let mongo: TestMongo;
  let a: MongoReadSide;
  let b: MongoReadSide;

  beforeAll(async () => {
    mongo = await openTestMongo('writer');
    a = mongoReadSide(mongo.orm);
    b = mongoReadSide(await mongo.connect());
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => {
    await freshGeneration(a);
    b.active.forget();
  });
  afterEach(() => vi.restoreAllMocks());

  /** The writer on connection a or b, alternately: two "processes" interleaving. */
  const writerOf = (i: number) => (i % 2 === 0 ? a.writer : b.writer);

  const expectExactCounts = async () => {
    const { stored, recounted, pending } = await auditCounts(a);
    expect(stored).toEqual(recounted);
    expect(pending).toBe(0);
  };

  describe('content of an article not projected yet', () => {
    it('refuses a favourite or a comment of an article neither stored nor deleted, leaving no trace', async () => {
      const [fan] = await givenUsers(a, 1);
      const later = anArticle(fan!);
      await expect(a.writer.setFavorite(fan!.id, later.id, true, 1)).rejects.toBeInstanceOf(NotProjectedYet);
      await expect(a.writer.addComment(aComment(later, fan!))).rejects.toBeInstanceOf(NotProjectedYet);
      expect((await a.relationships.favoritedAmong(fan!.id, [later.id])).size).toBe(0);

      // The projector's retry, once ArticlePublished is applied, succeeds.
      await a.writer.upsertArticle(later);
      const comment = aComment(later, fan!);
      await a.writer.setFavorite(fan!.id, later.id, true, 1);
      await a.writer.addComment(comment);
      expect((await a.articles.findBySlug(later.slug))?.favoritesCount).toBe(1);
      expect((await a.comments.listByArticle(later.id)).map((c) => c.id)).toEqual([comment.id]);
      await expectExactCounts();
    });

    it('refuses an article or a comment whose author is not stored yet', async () => {
      await expect(a.writer.upsertArticle(anArticle({ id: newId() }))).rejects.toBeInstanceOf(NotProjectedYet);
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!);
      await expect(a.writer.addComment(aComment(article, { id: newId() }))).rejects.toBeInstanceOf(NotProjectedYet);
    });

    it('refuses a slug or a username another one still holds, so that it is retried', async () => {
      const [author] = await givenUsers(a, 1);
      await givenArticle(a, author!, { slug: 'taken' });
      await expect(a.writer.upsertArticle(anArticle(author!, { slug: 'taken' }))).rejects.toBeInstanceOf(
        NotProjectedYet,
      );
      await expect(a.writer.upsertUser(aUser({ username: author!.username.toUpperCase() }))).rejects.toBeInstanceOf(
        NotProjectedYet,
      );
      await expectExactCounts();
    });
  });

  describe('several writers on separate connections', () => {
    /**
     * A random pause before and after every write, read and count, as a busy process or
     * network would make: without it the flows run in lockstep, and a lost race could
     * never show.
     */
    beforeEach(() => {
      const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 12));
      const methods = [
        'insertOne',
        'updateOne',
        'updateMany',
        'findOne',
        'findOneAndUpdate',
        'deleteOne',
        'deleteMany',
      ] as const;
      for (const method of methods) {
        const original = Collection.prototype[method] as (...args: unknown[]) => Promise<unknown>;
        const paused = async function (this: Collection, ...args: unknown[]) {
          await pause();
          const result = await original.apply(this, args);
          await pause();
          return result;
        };
        vi.spyOn(Collection.prototype, method).mockImplementation(paused as never);
      }
    });

    it('keeps favourite counts exact under 40 concurrent favourites, repeats and unfavourites', async () => {
      const [author] = await givenUsers(a, 1);
      const fans = await givenUsers(a, 40);
      const article = await givenArticle(a, author!);
      await Promise.all(fans.map((fan, i) => writerOf(i).setFavorite(fan.id, article.id, true, 1)));
      expect((await a.articles.findBySlug(article.slug))?.favoritesCount).toBe(40);
      await Promise.all([
        ...fans.slice(0, 15).map((fan, i) => writerOf(i + 1).setFavorite(fan.id, article.id, false, 2)),
        ...fans.map((fan, i) => writerOf(i).setFavorite(fan.id, article.id, true, 1)),
        ...fans.slice(0, 5).map((fan, i) => writerOf(i).setFavorite(fan.id, article.id, false, 2)),
      ]);
      expect((await b.articles.findBySlug(article.slug))?.favoritesCount).toBe(25);
      expect((await a.articles.list({ favoritedByKey: fans[20]!.username }, PAGE)).total).toBe(1);
      expect((await a.articles.list({ favoritedByKey: fans[2]!.username }, PAGE)).total).toBe(0);
      await expectExactCounts();
    });

    it('keeps tag and author counts exact while articles sharing tags are published, retagged, deleted', async () => {
      const authors = await givenUsers(a, 3);
      const articles = Array.from({ length: 24 }, (_, i) =>
        anArticle(authors[i % 3]!, { tagList: ['shared', i % 2 === 0 ? 'even' : 'odd'] }),
      );
      await Promise.all(articles.map((article, i) => writerOf(i).upsertArticle(article)));
      await expectExactCounts();

      await Promise.all([
        ...articles.slice(0, 6).map((article, i) => writerOf(i).deleteArticle(article.id, 3)),
        ...articles
          .slice(6, 12)
          .map((article, i) => writerOf(i + 1).upsertArticle({ ...article, tagList: ['odd'], version: 2 })),
        ...articles.slice(12, 18).map((article, i) =>
          writerOf(i).upsertArticle({ ...article, tagList: ['shared', 'new', 'even'], version: 2 }),
        ),
        // The same changes again, on the other connection: repeats racing their originals.
        ...articles.slice(0, 6).map((article, i) => writerOf(i + 1).deleteArticle(article.id, 3)),
        ...articles
          .slice(6, 12)
          .map((article, i) => writerOf(i).upsertArticle({ ...article, tagList: ['odd'], version: 2 })),
      ]);
      await expectExactCounts();
      expect((await a.articles.list({ tag: 'shared' }, PAGE)).total).toBe(12);
      expect((await a.articles.list({ tag: 'new' }, PAGE)).total).toBe(6);
      expect((await a.articles.list({}, PAGE)).total).toBe(18);
    });

    it('converges to exact counts when every change of one article races its repeats and older versions', async () => {
      const [author, ...fans] = await givenUsers(a, 7);
      const article = await givenArticle(a, author!, { tagList: ['a'] });
      const versions = [2, 3, 4, 5].map((version) => ({ ...article, tagList: [`t${version}`, 'a'], version }));
      const work: Promise<void>[] = [];
      for (let round = 0; round < 2; round++) {
        for (const [i, v] of [...versions].reverse().entries()) work.push(writerOf(i + round).upsertArticle(v));
        for (const [i, fan] of fans.entries()) {
          work.push(writerOf(i + round).setFavorite(fan.id, article.id, true, 1));
          if (i % 2 === 0) work.push(writerOf(i + round + 1).setFavorite(fan.id, article.id, false, 2));
        }
      }
      await Promise.all(work);
      const stored = await a.articles.findBySlug(article.slug);
      expect(stored).toMatchObject({ tagList: ['t5', 'a'], favoritesCount: 3 });
      expect(await a.articles.tags()).toEqual(['a', 't5']);
      await expectExactCounts();
    });

    it('leaves every embedded copy with the newest author while renames race with new content', async () => {
      const author = aUser({ username: 'v1' });
      await a.writer.upsertUser(author);
      const first = await givenArticle(a, author);
      const work: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        work.push(writerOf(i).upsertArticle(anArticle(author)));
        work.push(writerOf(i + 1).addComment(aComment(first, author)));
      }
      // Renames applied out of order on both connections; version 6 is the last word.
      for (const version of [3, 2, 6, 4, 5])
        work.push(writerOf(version).upsertUser({ ...author, username: `v${version}`, bio: `bio ${version}`, version }));
      await Promise.all(work);

      const newest = { id: author.id, username: 'v6', bio: 'bio 6', image: null };
      const listed = await a.articles.list({ authorKey: 'v6' }, PAGE);
      expect(listed.total).toBe(21);
      for (const item of listed.items) expect(item.author).toEqual(newest);
      const comments = await a.comments.listByArticle(first.id);
      expect(comments).toHaveLength(20);
      for (const comment of comments) expect(comment.author).toEqual(newest);
    });

    it('lets nothing of an article outlive its deletion, whatever arrives at the same time', async () => {
      const [author] = await givenUsers(a, 1);
      const fans = await givenUsers(a, 20);
      const article = await givenArticle(a, author!, { tagList: ['doomed', 'kept'] });
      const kept = await givenArticle(a, author!, { tagList: ['kept'] });
      const results = await Promise.allSettled([
        ...fans.map((fan, i) => writerOf(i).setFavorite(fan.id, article.id, true, 1)),
        ...fans.map((fan, i) => writerOf(i + 1).addComment(aComment(article, fan))),
        a.writer.deleteArticle(article.id, 2),
        b.writer.upsertArticle({ ...article, title: 'late update', version: 2 }),
      ]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await a.articles.findBySlug(article.slug)).toBeNull();
      expect(await a.comments.listByArticle(article.id)).toEqual([]);
      for (const fan of fans) {
        expect((await a.relationships.favoritedAmong(fan.id, [article.id])).size).toBe(0);
        expect((await a.articles.list({ favoritedByKey: fan.username }, PAGE)).total).toBe(0);
      }
      expect(await a.articles.tags()).toEqual(['kept']);
      expect((await a.articles.list({}, PAGE)).items.map((x) => x.id)).toEqual([kept.id]);
      await expectExactCounts();
    });
  });

  describe('a deletion that completes while a write of the same article is in flight', () => {
    /**
     * Holds the first `method` call on the collection whose name ends with `suffix` before
     * it reaches the server, until `release()`: the write has passed its checks but not
     * landed. Answers when that call was made.
     */
    function holdFirstWrite(
      method: 'insertOne' | 'updateOne',
      suffix: string,
    ): { reached: Promise<void>; release: () => void } {
      const original = Collection.prototype[method] as (...args: unknown[]) => Promise<unknown>;
      let held = false;
      let release = () => {};
      let reached = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      vi.spyOn(Collection.prototype, method).mockImplementation(async function (this: Collection, ...args: unknown[]) {
        if (!held && this.collectionName.endsWith(suffix)) {
          held = true;
          reached();
          await gate;
        }
        return original.apply(this, args);
      } as never);
      return { reached: reachedPromise, release };
    }

    it('removes a favourite that lands after the deletion swept the favourites, and counts it out', async () => {
      const [author, fan] = await givenUsers(a, 2);
      const article = await givenArticle(a, author!);
      const hold = holdFirstWrite('insertOne', '_favorites');
      const favourite = a.writer.setFavorite(fan!.id, article.id, true, 1);
      await hold.reached;
      await b.writer.deleteArticle(article.id, 2);
      hold.release();
      await favourite;
      expect((await a.relationships.favoritedAmong(fan!.id, [article.id])).size).toBe(0);
      expect((await a.articles.list({ favoritedByKey: fan!.username }, PAGE)).total).toBe(0);
      await expectExactCounts();
    });

    it('removes a comment that lands after the deletion swept the comments', async () => {
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!);
      const hold = holdFirstWrite('updateOne', '_comments');
      const adding = a.writer.addComment(aComment(article, author!));
      await hold.reached;
      await b.writer.deleteArticle(article.id, 2);
      hold.release();
      await adding;
      expect(await a.comments.listByArticle(article.id)).toEqual([]);
    });

    it('removes an article that a late update wrote back after the deletion removed it, with its counts', async () => {
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!, { tagList: ['t'] });
      const hold = holdFirstWrite('updateOne', '_articles');
      const update = a.writer.upsertArticle({ ...article, title: 'late', version: 2 });
      await hold.reached;
      await b.writer.deleteArticle(article.id, 3);
      hold.release();
      await update;
      expect(await a.articles.findBySlug(article.slug)).toBeNull();
      expect(await a.articles.tags()).toEqual([]);
      expect((await a.articles.list({}, PAGE)).total).toBe(0);
      await expectExactCounts();
    });
  });

  it('never uses a transaction: no command it sends starts one', async () => {
    const watched = await mongo.connect({ driverOptions: { monitorCommands: true } });
    const side = mongoReadSide(watched);
    const commands: Record<string, unknown>[] = [];
    watched.em.getConnection().getClient().on('commandStarted', (event) => commands.push(event.command));
    const [author, fan] = await givenUsers(side, 2);
    const article = await givenArticle(side, author!, { tagList: ['t'] });
    await side.writer.setFavorite(fan!.id, article.id, true, 1);
    await side.writer.setFollow(fan!.id, author!.id, true, 1);
    const comment = aComment(article, fan!);
    await side.writer.addComment(comment);
    await side.writer.upsertUser({ ...author!, username: 'renamed', version: 2 });
    await side.writer.deleteComment(comment.id);
    await side.writer.deleteArticle(article.id, 2);
    expect(commands.length).toBeGreaterThan(20);
    for (const command of commands) {
      expect(command).not.toHaveProperty('startTransaction');
      expect(command).not.toHaveProperty('autocommit');
    }
  });
});
