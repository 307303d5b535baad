import { Collection } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  aComment,
  anArticle,
  aUser,
  givenArticle,
  givenUsers,
  newId,
} from '../../contract/read-store/read-store.fixtures.js';
import { openTestMongo, type TestMongo } from '../../support/mongo.js';
import { freshGeneration, mongoSide, type MongoSide } from './mongo-stores.js';

const PAGE = { limit: 100, offset: 0 };

/**
 * The writer's guarantees that the shared contract cannot show: several writers on
 * separate connections (as several projector processes are), a writer that dies between
 * two of its steps, and the rule that content of an article not projected yet is refused.
 */
describe(`MongoReadModelWriter (${process.env.MONGO_URL ? 'MONGO_URL' : 'emulator'})`, () => {
  let mongo: TestMongo;
  let a: MongoSide;
  let b: MongoSide;

  beforeAll(async () => {
    mongo = await openTestMongo('writer');
    a = mongoSide(mongo.orm);
    b = mongoSide(await mongo.connect());
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => freshGeneration(a));
  afterEach(() => vi.restoreAllMocks());

  /** The writer on connection a or b, alternately: two "processes" interleaving. */
  const writerOf = (i: number) => (i % 2 === 0 ? a.writer : b.writer);

  /** What the tag counts must be: recounted from scratch from the stored articles. */
  async function tagCountsFromScratch(): Promise<string[]> {
    const counts = new Map<string, number>();
    const all = await a.articles.list({}, { limit: 10_000, offset: 0 });
    for (const article of all.items) for (const tag of article.tagList) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    return [...counts]
      .sort(([x, m], [y, n]) => n - m || (x < y ? -1 : x > y ? 1 : 0))
      .map(([tag]) => tag);
  }

  describe('content of an article not projected yet', () => {
    it('refuses a favourite or a comment of an article neither stored nor deleted, leaving no trace', async () => {
      const [fan] = await givenUsers(a, 1);
      const later = anArticle(fan!);
      await expect(a.writer.setFavorite(fan!.id, later.id, true, 1)).rejects.toThrow(/not stored yet/);
      await expect(a.writer.addComment(aComment(later, fan!))).rejects.toThrow(/not stored yet/);
      expect((await a.relationships.favoritedAmong(fan!.id, [later.id])).size).toBe(0);

      // The projector's retry, once ArticlePublished is applied, succeeds.
      await a.writer.upsertArticle(later);
      const comment = aComment(later, fan!);
      await a.writer.setFavorite(fan!.id, later.id, true, 1);
      await a.writer.addComment(comment);
      expect((await a.articles.findBySlug(later.slug))?.favoritesCount).toBe(1);
      expect((await a.comments.listByArticle(later.id)).map((c) => c.id)).toEqual([comment.id]);
    });

    it('drops, without an error, a favourite or a comment of a deleted article', async () => {
      const [author, fan] = await givenUsers(a, 2);
      const article = await givenArticle(a, author!);
      await a.writer.deleteArticle(article.id, 2);
      await a.writer.setFavorite(fan!.id, article.id, true, 1);
      await a.writer.addComment(aComment(article, fan!));
      expect((await a.relationships.favoritedAmong(fan!.id, [article.id])).size).toBe(0);
      expect(await a.comments.listByArticle(article.id)).toEqual([]);
    });

    it('refuses an article whose author is not stored yet', async () => {
      await expect(a.writer.upsertArticle(anArticle({ id: newId() }))).rejects.toThrow(/not stored yet/);
    });
  });

  describe('several writers on separate connections', () => {
    /**
     * A random pause before and after every write and count, as a busy process or network
     * would make: without it the flows run in lockstep (every favourite written before any
     * is counted), and a lost recount race could never show.
     */
    beforeEach(() => {
      const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 12));
      const methods = [
        'updateOne',
        'updateMany',
        'findOneAndUpdate',
        'countDocuments',
        'deleteOne',
        'deleteMany',
      ] as const;
      for (const method of methods) {
        const original = Collection.prototype[method] as (...args: unknown[]) => Promise<unknown>;
        vi.spyOn(Collection.prototype, method).mockImplementation(async function (
          this: Collection,
          ...args: unknown[]
        ) {
          await pause();
          const result = await original.apply(this, args);
          await pause();
          return result;
        } as never);
      }
    });

    it('keeps favoritesCount exact under 40 concurrent favourites, repeats and unfavourites', async () => {
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
    });

    it('keeps tag counts exact while articles sharing tags are published, retagged, deleted at once', async () => {
      const authors = await givenUsers(a, 3);
      const articles = Array.from({ length: 24 }, (_, i) =>
        anArticle(authors[i % 3]!, { tagList: ['shared', i % 2 === 0 ? 'even' : 'odd'] }),
      );
      await Promise.all(articles.map((article, i) => writerOf(i).upsertArticle(article)));
      expect(await a.articles.tags()).toEqual(await tagCountsFromScratch());

      await Promise.all([
        ...articles.slice(0, 6).map((article, i) => writerOf(i).deleteArticle(article.id, 3)),
        ...articles
          .slice(6, 12)
          .map((article, i) => writerOf(i + 1).upsertArticle({ ...article, tagList: ['odd'], version: 2 })),
        ...articles.slice(12, 18).map((article, i) =>
          writerOf(i).upsertArticle({ ...article, tagList: ['shared', 'new', 'even'], version: 2 }),
        ),
      ]);
      const expected = await tagCountsFromScratch();
      expect(await a.articles.tags()).toEqual(expected);
      expect((await a.articles.list({ tag: 'shared' }, PAGE)).total).toBe(12);
      expect((await a.articles.list({ tag: 'new' }, PAGE)).total).toBe(6);
      expect(expected).toContain('odd');
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
        work.push(
          writerOf(version).upsertUser({ ...author, username: `v${version}`, bio: `bio ${version}`, version }),
        );
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
      for (const fan of fans) expect((await a.relationships.favoritedAmong(fan.id, [article.id])).size).toBe(0);
      expect(await a.articles.tags()).toEqual(['kept']);
      expect((await a.articles.list({}, PAGE)).items.map((x) => x.id)).toEqual([kept.id]);
    });
  });

  describe('a recount that read before a newer one', () => {
    /**
     * Holds the result of the first count on the collection whose name ends with `suffix`
     * until `release()`: that recount has counted, but has not stored its count yet, while
     * everything else goes on. Answers when that count has run.
     */
    function holdFirstCount(suffix: string): { counted: Promise<void>; release: () => void } {
      const original = Collection.prototype.countDocuments as (...args: unknown[]) => Promise<number>;
      let held = false;
      let release = () => {};
      let counted = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const countedPromise = new Promise<void>((resolve) => (counted = resolve));
      vi.spyOn(Collection.prototype, 'countDocuments').mockImplementation(async function (
        this: Collection,
        ...args: unknown[]
      ) {
        const result = await original.apply(this, args);
        if (!held && this.collectionName.endsWith(suffix)) {
          held = true;
          counted();
          await gate;
        }
        return result;
      } as never);
      return { counted: countedPromise, release };
    }

    it('cannot overwrite a newer favoritesCount with its older one', async () => {
      const [author, early, late] = await givenUsers(a, 3);
      const article = await givenArticle(a, author!);
      const hold = holdFirstCount('_favorites');
      const slow = a.writer.setFavorite(early!.id, article.id, true, 1);
      await hold.counted; // counted 1 favourite, not stored yet
      await b.writer.setFavorite(late!.id, article.id, true, 1); // counts 2 and stores it
      hold.release();
      await slow;
      expect((await a.articles.findBySlug(article.slug))?.favoritesCount).toBe(2);
    });

    it('cannot overwrite a newer tag count with its older one', async () => {
      const [author] = await givenUsers(a, 1);
      await givenArticle(a, author!, { tagList: ['other'] });
      const hold = holdFirstCount('_articles');
      const slow = a.writer.upsertArticle(anArticle(author!, { tagList: ['t'] }));
      await hold.counted; // counted 1 article with "t", not stored yet
      await b.writer.upsertArticle(anArticle(author!, { tagList: ['t'] })); // counts 2 and stores it
      hold.release();
      await slow;
      expect(await a.articles.tags()).toEqual(['t', 'other']);
    });
  });

  describe('a deletion that completes while a write of the same article is in flight', () => {
    /**
     * Holds the first `method` call on the collection whose name ends with `suffix` before
     * it reaches the server, until `release()`: the write has passed its checks but not
     * landed. Answers when that call was made.
     */
    function holdFirstWrite(
      method: 'updateOne' | 'findOneAndUpdate',
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

    it('removes a favourite that lands after the deletion swept the favourites', async () => {
      const [author, fan] = await givenUsers(a, 2);
      const article = await givenArticle(a, author!);
      const hold = holdFirstWrite('updateOne', '_favorites');
      const favourite = a.writer.setFavorite(fan!.id, article.id, true, 1);
      await hold.reached;
      await b.writer.deleteArticle(article.id, 2);
      hold.release();
      await favourite;
      expect((await a.relationships.favoritedAmong(fan!.id, [article.id])).size).toBe(0);
    });

    it('removes a comment that lands after the deletion swept the comments', async () => {
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!);
      const comment = aComment(article, author!);
      const hold = holdFirstWrite('updateOne', '_comments');
      const adding = a.writer.addComment(comment);
      await hold.reached;
      await b.writer.deleteArticle(article.id, 2);
      hold.release();
      await adding;
      expect(await a.comments.findById(comment.id)).toBeNull();
    });

    it('removes an article that a late update wrote back after the deletion removed it', async () => {
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!, { tagList: ['t'] });
      const hold = holdFirstWrite('findOneAndUpdate', '_articles');
      const update = a.writer.upsertArticle({ ...article, title: 'late', version: 2 });
      await hold.reached;
      await b.writer.deleteArticle(article.id, 3);
      hold.release();
      await update;
      expect(await a.articles.findBySlug(article.slug)).toBeNull();
      expect(await a.articles.tags()).toEqual([]);
    });
  });

  describe('a writer that dies between two steps', () => {
    /**
     * Makes the first call of `method` on the collection whose name ends with `suffix` fail,
     * as if the process had been killed just before it; every other call goes through.
     */
    function crashOnce(
      method: 'updateOne' | 'updateMany' | 'deleteMany' | 'countDocuments' | 'findOneAndUpdate',
      suffix: string,
    ): void {
      const original = Collection.prototype[method] as (...args: unknown[]) => unknown;
      let crashed = false;
      vi.spyOn(Collection.prototype, method).mockImplementation(function (this: Collection, ...args: unknown[]) {
        if (!crashed && this.collectionName.endsWith(suffix)) {
          crashed = true;
          return Promise.reject(new Error(`injected crash before ${method} on ${this.collectionName}`));
        }
        return original.apply(this, args);
      } as never);
    }

    it('completes a publish whose tag recount never ran when the event is applied again', async () => {
      const [author] = await givenUsers(a, 1);
      const article = anArticle(author!, { tagList: ['x', 'y'] });
      crashOnce('findOneAndUpdate', '_tags');
      await expect(a.writer.upsertArticle(article)).rejects.toThrow(/injected crash/);
      vi.restoreAllMocks();
      await a.writer.upsertArticle(article);
      expect(await a.articles.tags()).toEqual(['x', 'y']);
    });

    it('completes an update that removed a tag, from what the article document remembers', async () => {
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!, { tagList: ['gone', 'stays'] });
      await givenArticle(a, author!, { tagList: ['stays'] });
      crashOnce('countDocuments', '_articles');
      await expect(a.writer.upsertArticle({ ...article, tagList: ['stays'], version: 2 })).rejects.toThrow(/injected/);
      vi.restoreAllMocks();
      await a.writer.upsertArticle({ ...article, tagList: ['stays'], version: 2 });
      expect(await a.articles.tags()).toEqual(['stays']);
      // And the next update recounts only what it changes, from a settled state.
      await a.writer.upsertArticle({ ...article, tagList: ['stays', 'back'], version: 3 });
      expect(await a.articles.tags()).toEqual(['stays', 'back']);
    });

    it('completes a deletion that died after removing the article', async () => {
      const [author, fan] = await givenUsers(a, 2);
      const article = await givenArticle(a, author!, { tagList: ['only'] });
      await a.writer.setFavorite(fan!.id, article.id, true, 1);
      await a.writer.addComment(aComment(article, fan!));
      crashOnce('deleteMany', '_favorites');
      await expect(a.writer.deleteArticle(article.id, 2)).rejects.toThrow(/injected/);
      vi.restoreAllMocks();
      expect(await a.articles.findBySlug(article.slug)).toBeNull();
      await a.writer.deleteArticle(article.id, 2);
      expect((await a.relationships.favoritedAmong(fan!.id, [article.id])).size).toBe(0);
      expect(await a.comments.listByArticle(article.id)).toEqual([]);
      expect(await a.articles.tags()).toEqual([]);
    });

    it('completes a rename that died before rewriting the comments', async () => {
      const [author] = await givenUsers(a, 1);
      const article = await givenArticle(a, author!);
      const comment = aComment(article, author!);
      await a.writer.addComment(comment);
      crashOnce('updateMany', '_comments');
      const renamed = { ...author!, username: 'renamed', version: 2 };
      await expect(a.writer.upsertUser(renamed)).rejects.toThrow(/injected/);
      vi.restoreAllMocks();
      await a.writer.upsertUser(renamed);
      expect((await a.comments.findById(comment.id))?.author.username).toBe('renamed');
      expect((await a.articles.findBySlug(article.slug))?.author.username).toBe('renamed');
    });

    it('completes a favourite whose recount never ran', async () => {
      const [author, fan] = await givenUsers(a, 2);
      const article = await givenArticle(a, author!);
      crashOnce('countDocuments', '_favorites');
      await expect(a.writer.setFavorite(fan!.id, article.id, true, 1)).rejects.toThrow(/injected/);
      vi.restoreAllMocks();
      expect((await a.articles.findBySlug(article.slug))?.favoritesCount).toBe(0);
      await a.writer.setFavorite(fan!.id, article.id, true, 1);
      expect((await a.articles.findBySlug(article.slug))?.favoritesCount).toBe(1);
    });
  });

  it('never uses a transaction: no command it sends starts one', async () => {
    const watched = await mongo.connect({ driverOptions: { monitorCommands: true } });
    const side = mongoSide(watched);
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
