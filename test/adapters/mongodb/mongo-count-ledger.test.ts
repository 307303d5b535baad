import { Collection } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { settlePending } from '../../../src/adapters/mongodb/mongo-count-ledger.js';
import { newOperationId } from '../../../src/adapters/mongodb/mongo-guarded-writes.js';
import { articleCountDeltas } from '../../../src/application/read-side/read-model-rules.js';
import {
  aComment,
  anArticle,
  givenArticle,
  givenUsers,
  type ArticleFixture,
  type UserFixture,
} from '../../contract/read-store/read-store.fixtures.js';
import { mongoReadSide, mongoSource, openTestMongo, type MongoReadSide, type TestMongo } from '../../support/mongo.js';
import { auditCounts, freshGeneration } from './mongo-stores.js';

const PAGE = { limit: 100, offset: 0 };

/** The driver calls that change documents: a writer killed between two steps stopped at one of them. */
const WRITES = ['insertOne', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'findOneAndUpdate'] as const;

/**
 * The counter protocol of mongo-count-ledger.ts (ADR 011): counts stay exact whatever
 * step a writer dies at. Each scenario is run once to count the writes its change sends,
 * then again once per write: killed just before it, and killed just after it (the write
 * landed, its answer never came back), then retried, as the projector retries an event it
 * could not acknowledge. Every maintained count must then equal a recount from the
 * documents, and no change may be left pending.
 */
describe(`Maintained counts under a writer killed between any two steps (${mongoSource()})`, () => {
  let mongo: TestMongo;
  let side: MongoReadSide;

  beforeAll(async () => {
    mongo = await openTestMongo('count_ledger');
    side = mongoReadSide(mongo.orm);
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => freshGeneration(side));
  afterEach(() => vi.restoreAllMocks());

  /** Counts the writes `work` sends; with `killAt`, the killAt-th one fails before or after it reaches the server. */
  function instrumentWrites(killAt?: { readonly n: number; readonly after: boolean }): () => number {
    let writes = 0;
    for (const method of WRITES) {
      const original = Collection.prototype[method] as (...args: unknown[]) => Promise<unknown>;
      vi.spyOn(Collection.prototype, method).mockImplementation(async function (this: Collection, ...args: unknown[]) {
        writes += 1;
        if (killAt?.n !== writes) return original.apply(this, args);
        if (killAt.after) await original.apply(this, args);
        const when = killAt.after ? 'after' : 'before';
        throw new Error(`killed ${when} write ${writes} (${method} ${this.collectionName})`);
      } as never);
    }
    return () => writes;
  }

  interface Scenario {
    readonly name: string;
    /** Writes what the change starts from; answers the change (applied by the killed writer, then by the retry). */
    readonly setup: () => Promise<() => Promise<void>>;
    /** What must hold after the retry, beyond the counts. */
    readonly check: () => Promise<void>;
  }

  let author: UserFixture;
  let fans: UserFixture[];
  let article: ArticleFixture;
  const users = async () => {
    const [first, ...rest] = await givenUsers(side, 3);
    author = first!;
    fans = rest;
  };
  const given = async (tagList: string[]) => {
    await users();
    article = await givenArticle(side, author, { tagList });
  };

  const scenarios: Scenario[] = [
    {
      name: 'publishing an article with tags',
      setup: async () => {
        await users();
        article = anArticle(author, { tagList: ['x', 'y'] });
        return () => side.writer.upsertArticle(article);
      },
      check: async () => {
        expect(await side.articles.tags()).toEqual(['x', 'y']);
        expect((await side.articles.list({ authorKey: author.username }, PAGE)).total).toBe(1);
      },
    },
    {
      name: 'retagging an article',
      setup: async () => {
        await given(['x', 'y']);
        await givenArticle(side, author, { tagList: ['y'] });
        return () => side.writer.upsertArticle({ ...article, tagList: ['y', 'z'], version: 2 });
      },
      check: async () => expect(await side.articles.tags()).toEqual(['y', 'z']),
    },
    {
      name: 'favouriting',
      setup: async () => {
        await given([]);
        return () => side.writer.setFavorite(fans[0]!.id, article.id, true, 1);
      },
      check: async () => {
        expect((await side.articles.findBySlug(article.slug))?.favoritesCount).toBe(1);
        expect((await side.articles.list({ favoritedByKey: fans[0]!.username }, PAGE)).total).toBe(1);
      },
    },
    {
      name: 'unfavouriting',
      setup: async () => {
        await given([]);
        await side.writer.setFavorite(fans[0]!.id, article.id, true, 1);
        await side.writer.setFavorite(fans[1]!.id, article.id, true, 1);
        return () => side.writer.setFavorite(fans[0]!.id, article.id, false, 2);
      },
      check: async () => expect((await side.articles.findBySlug(article.slug))?.favoritesCount).toBe(1),
    },
    {
      name: 'deleting an article with favourites and comments',
      setup: async () => {
        await given(['only', 'shared']);
        await givenArticle(side, author, { tagList: ['shared'] });
        for (const fan of fans) await side.writer.setFavorite(fan.id, article.id, true, 1);
        await side.writer.addComment(aComment(article, fans[0]!));
        return () => side.writer.deleteArticle(article.id, 2);
      },
      check: async () => {
        expect(await side.articles.findBySlug(article.slug)).toBeNull();
        expect(await side.comments.listByArticle(article.id)).toEqual([]);
        expect(await side.articles.tags()).toEqual(['shared']);
        for (const fan of fans)
          expect((await side.articles.list({ favoritedByKey: fan.username }, PAGE)).total).toBe(0);
      },
    },
  ];

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const change = await scenario.setup();
    const counted = instrumentWrites();
    await change();
    const writes = counted();
    vi.restoreAllMocks();
    expect(writes).toBeGreaterThan(1);

    for (const after of [false, true])
      for (let n = 1; n <= writes; n++) {
        await freshGeneration(side);
        const retry = await scenario.setup();
        instrumentWrites({ n, after });
        await expect(retry(), `killed ${after ? 'after' : 'before'} write ${n}`).rejects.toThrow(/killed/);
        vi.restoreAllMocks();
        await retry();
        const audit = await auditCounts(side);
        expect(audit.stored, `killed ${after ? 'after' : 'before'} write ${n} of ${writes}`).toEqual(audit.recounted);
        expect(audit.pending).toBe(0);
        await scenario.check();
      }
  });

  it('counts a pending change once when several writers settle it at once', async () => {
    const [writer] = await givenUsers(side, 1);
    const other = mongoReadSide(await mongo.connect());
    const c = side.db.collections('g1');
    const cOther = other.db.collections('g1');
    // Step 1 as a writer that died right after it would leave it: the article and its pending deltas.
    const pending = {
      op: newOperationId(),
      deltas: articleCountDeltas(null, { authorId: writer!.id, tagList: ['p', 'q'] }),
    };
    const fixture = anArticle(writer!, { tagList: ['p', 'q'] });
    await c.articles.insertOne({
      _id: fixture.id,
      slug: fixture.slug,
      title: fixture.title,
      description: fixture.description,
      body: fixture.body,
      tagList: ['p', 'q'],
      createdAt: new Date(fixture.createdAt),
      updatedAt: new Date(fixture.updatedAt),
      author: { id: writer!.id, username: writer!.username, bio: null, image: null },
      authorVersion: 1,
      favoritesCount: 0,
      version: 1,
      pending,
    });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        settlePending(i % 2 === 0 ? c : cOther, { articleId: fixture.id }, pending),
      ),
    );
    expect((await side.articles.list({ tag: 'p' }, PAGE)).total).toBe(1);
    expect((await side.articles.list({}, PAGE)).total).toBe(1);
    expect((await side.articles.list({ authorKey: writer!.username }, PAGE)).total).toBe(1);
    const audit = await auditCounts(side);
    expect(audit.stored).toEqual(audit.recounted);
    expect(audit.pending).toBe(0);
    // Settled once more, later (a retry that read the pending change before it was cleared): nothing moves.
    await settlePending(c, { articleId: fixture.id }, pending);
    expect((await auditCounts(side)).stored).toEqual(audit.recounted);
  });

  it('finishes a change left pending by a dead writer before the next change of the same source', async () => {
    await given(['x']);
    instrumentWrites({ n: 1, after: true }); // the compare-and-set lands, nothing after it does
    await expect(side.writer.upsertArticle({ ...article, tagList: ['y'], version: 2 })).rejects.toThrow(/killed/);
    vi.restoreAllMocks();
    // Not the retry: a newer change, which must count the dead writer's change first.
    await side.writer.upsertArticle({ ...article, tagList: ['z'], version: 3 });
    expect(await side.articles.tags()).toEqual(['z']);
    const audit = await auditCounts(side);
    expect(audit.stored).toEqual(audit.recounted);
  });
});
