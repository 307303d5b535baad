import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GENERATION_TTL_MS } from '../../../src/application/projections/read-model.store.js';
import { META_COLLECTION } from '../../../src/adapters/mongodb/read-model.documents.js';
import { anArticle, givenArticle, givenUsers } from '../../contract/read-store/read-store.fixtures.js';
import { openTestMongo, type TestMongo } from '../../support/mongo.js';
import { mongoSide, type MongoSide } from './mongo-stores.js';

const PAGE = { limit: 20, offset: 0 };

describe(`MongoReadModelStore: generations (${process.env.MONGO_URL ? 'MONGO_URL' : 'emulator'})`, () => {
  let mongo: TestMongo;
  /** Two processes' views of the same database. */
  let here: MongoSide;
  let there: MongoSide;

  beforeAll(async () => {
    mongo = await openTestMongo('generations');
    here = mongoSide(mongo.orm);
    there = mongoSide(await mongo.connect());
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => {
    // Every test starts from a database without generations (delete, not drop: the emulator has no drop).
    for (const generation of await here.admin.listGenerations()) await here.admin.writerFor(generation).clear();
    await mongo.orm.em.getConnection().getDb().collection(META_COLLECTION).deleteMany({});
    here.db.forgetActiveGeneration();
    there.db.forgetActiveGeneration();
  });

  it('has no active generation on a fresh database, and queries say so', async () => {
    expect(await here.admin.activeGeneration()).toBeNull();
    expect(await here.admin.replayFrom()).toBeNull();
    expect(await here.admin.listGenerations()).toEqual([]);
    await expect(here.articles.list({}, PAGE)).rejects.toThrow(/no generation is active/);
  });

  it('prepares idempotently, lists generations oldest first, and refuses names unfit for a collection', async () => {
    await here.admin.prepare('g1');
    await here.admin.prepare('g2');
    await here.admin.prepare('g1');
    expect(await here.admin.listGenerations()).toEqual(['g1', 'g2']);
    for (const bad of ['', 'g.1', 'g$1', '1g', 'g-1', 'a'.repeat(41), 'g1; drop']) {
      await expect(here.admin.prepare(bad), bad).rejects.toThrow(/not a valid generation name/);
      expect(() => here.admin.writerFor(bad)).toThrow(/not a valid generation name/);
    }
  });

  it('activates only a prepared generation, with its replay mark, and clears the mark', async () => {
    await expect(here.admin.activate('g9', 0)).rejects.toThrow(/never prepared/);
    await here.admin.prepare('g1');
    await here.admin.activate('g1', 42);
    expect(await here.admin.activeGeneration()).toBe('g1');
    expect(await here.admin.replayFrom()).toBe(42);
    await here.admin.clearReplayFrom();
    expect(await here.admin.replayFrom()).toBeNull();
    expect(await here.admin.activeGeneration()).toBe('g1');
  });

  it('fills a generation while the active one serves, then swaps: here at once, elsewhere within the TTL', async () => {
    await here.admin.prepare('g1');
    await here.admin.activate('g1', 0);
    const [author] = await givenUsers(here, 1);
    const old = await givenArticle(here, author!);
    expect((await there.articles.list({}, PAGE)).total).toBe(1); // `there` caches g1 now

    // A rebuild fills g2 through its own writer; readers still see g1 only.
    await here.admin.prepare('g2');
    const rebuild = here.admin.writerFor('g2');
    await rebuild.upsertUser(author!);
    const rebuilt = anArticle(author!);
    await rebuild.upsertArticle(rebuilt);
    await rebuild.upsertArticle({ ...old, version: 1 });
    expect(await here.articles.findBySlug(rebuilt.slug)).toBeNull();

    await here.admin.activate('g2', 7);
    expect(await here.admin.activeGeneration()).toBe('g2');
    expect((await here.articles.findBySlug(rebuilt.slug))?.id).toBe(rebuilt.id); // this process: at once
    expect((await there.articles.list({}, PAGE)).total).toBe(1); // another: still g1, within the TTL
    await new Promise((resolve) => setTimeout(resolve, GENERATION_TTL_MS + 50));
    expect((await there.articles.list({}, PAGE)).total).toBe(2); // and g2 after it
    // The live writer follows the pointer too.
    const [late] = await givenUsers(there, 1);
    expect(await here.users.findById(late!.id)).not.toBeNull();
  });

  it('drops a generation that is not active, and refuses the active one', async () => {
    await here.admin.prepare('g1');
    await here.admin.prepare('g2');
    await here.admin.activate('g2', 0);
    const g1 = here.admin.writerFor('g1');
    const [author] = await givenUsers({ ...here, writer: g1 }, 1);
    await g1.upsertArticle(anArticle(author!, { tagList: ['t'] }));

    await expect(here.admin.drop('g2')).rejects.toThrow(/active/);
    await here.admin.drop('g1');
    expect(await here.admin.listGenerations()).toEqual(['g2']);
    // Prepared again, the name starts empty.
    await here.admin.prepare('g1');
    await here.admin.activate('g1', 0);
    expect(await here.users.findById(author!.id)).toBeNull();
    expect(await here.articles.tags()).toEqual([]);
  });
});
