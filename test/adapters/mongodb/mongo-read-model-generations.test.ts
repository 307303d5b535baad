import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectionName } from '../../../src/adapters/mongodb/mongo-read-database.js';
import { GenerationNotIntact } from '../../../src/adapters/mongodb/mongo-read-model.writer.js';
import { GENERATION_MARKER, META_COLLECTION } from '../../../src/adapters/mongodb/read-model.documents.js';
import {
  ensureActiveGeneration,
  NoActiveGeneration,
  readStoreHealth,
} from '../../../src/application/read-side/active-generation.js';
import { FixtureWriter, aUser, givenArticle, givenUsers } from '../../contract/read-store/read-store.fixtures.js';
import {
  forgetEveryGeneration,
  mongoReadSide,
  mongoSource,
  openTestMongo,
  type MongoReadSide,
  type TestMongo,
} from '../../support/mongo.js';
import { auditCounts } from './mongo-stores.js';

const PAGE = { limit: 20, offset: 0 };

/** What the generations contract cannot show: other processes, names, the marker, concurrent preparation. */
describe(`MongoReadModelGenerations (${mongoSource()})`, () => {
  let mongo: TestMongo;
  /** Two processes' views of the same database. */
  let here: MongoReadSide;
  let there: MongoReadSide;
  const pointerReads: string[] = [];

  beforeAll(async () => {
    mongo = await openTestMongo('generations');
    here = mongoReadSide(mongo.orm);
    const watched = await mongo.connect({ driverOptions: { monitorCommands: true } });
    watched.em
      .getConnection()
      .getClient()
      .on('commandStarted', (event: CommandStartedEvent) => {
        if (event.command[event.commandName] === META_COLLECTION) pointerReads.push(event.commandName);
      });
    there = mongoReadSide(watched);
  });
  afterAll(async () => mongo?.close());
  beforeEach(async () => {
    await forgetEveryGeneration(here.db);
    here.active.forget();
    there.active.forget();
  });

  it('refuses queries while no generation is active, with the application\'s error', async () => {
    await expect(here.articles.list({}, PAGE)).rejects.toBeInstanceOf(NoActiveGeneration);
    await expect(here.writer.upsertUser(aUser())).rejects.toBeInstanceOf(NoActiveGeneration);
  });

  it('keeps each generation in collections of its own name', async () => {
    await ensureActiveGeneration(here.generations);
    await here.generations.prepare('g2');
    const user = aUser();
    await new FixtureWriter(here.generations.writerFor('g2')).upsertUser(user);
    const db = mongo.orm.em.getConnection().getDb();
    expect(await db.collection(collectionName('g2', 'users')).countDocuments({ _id: user.id as never })).toBe(1);
    expect(await db.collection(collectionName('g1', 'users')).countDocuments({})).toBe(0);
    expect(collectionName('g2', 'articleTombstones')).toBe('g2_article_tombstones');
  });

  it('lets another process see a swap within GENERATION_TTL_MS, and this process at once', async () => {
    await ensureActiveGeneration(here.generations);
    await here.generations.prepare('g2');
    const user = aUser();
    await new FixtureWriter(here.generations.writerFor('g2')).upsertUser(user);
    expect(await there.users.findById(user.id)).toBeNull(); // `there` holds g1 now

    await here.generations.activate('g2', 0);
    here.active.forget();
    expect(await here.users.findById(user.id)).not.toBeNull();
    // Another process moves once its cached pointer is older than the TTL; no timing asserted.
    await expect.poll(() => there.users.findById(user.id), { timeout: 10_000, interval: 50 }).not.toBeNull();
    // The live writer follows the pointer too.
    const [late] = await givenUsers(there, 1);
    expect(await here.users.findById(late!.id)).not.toBeNull();
  });

  it('reads the pointer once for any number of concurrent queries', async () => {
    await ensureActiveGeneration(here.generations);
    there.active.forget();
    pointerReads.length = 0;
    await Promise.all(Array.from({ length: 20 }, () => there.users.findById('x')));
    expect(pointerReads).toEqual(['find']);
  });

  it('reads a generation without its marker as not whole, refuses writes, and empties it when preparing', async () => {
    await ensureActiveGeneration(here.generations);
    const [author, fan] = await givenUsers(here, 2);
    const article = await givenArticle(here, author!, { tagList: ['t'] });
    await here.writer.setFavorite(fan!.id, article.id, true, 1);
    // The counts collection lost (its marker with it), the documents not: half a generation.
    await here.db.collections('g1').counts.deleteMany({});
    expect(await here.generations.isIntact('g1')).toBe(false);
    expect(await readStoreHealth(here.generations, async () => 10)).toBe('lost');
    await expect(here.writer.upsertUser(aUser())).rejects.toBeInstanceOf(GenerationNotIntact);

    expect(await ensureActiveGeneration(here.generations)).toBe('g1');
    expect(await here.generations.isIntact('g1')).toBe(true);
    expect(await here.generations.replayFrom()).toBe(0);
    // Filled again from nothing (the replay does it), so counts and documents agree again.
    expect(await here.users.findById(author!.id)).toBeNull();
    expect((await here.articles.list({}, PAGE)).total).toBe(0);
    await givenUsers(here, 1);
    const audit = await auditCounts(here);
    expect(audit.stored).toEqual(audit.recounted);
  });

  it('lets several processes prepare one generation at once: one prepares, the others wait for it', async () => {
    const others = await Promise.all([1, 2, 3].map(async () => mongoReadSide(await mongo.connect())));
    await Promise.all([here, ...others].map((side) => side.generations.prepare('g5')));
    expect(await here.generations.listGenerations()).toEqual(['g5']);
    expect(await here.generations.isIntact('g5')).toBe(true);
    const marker = await here.db.collections('g5').marker.findOne({ _id: GENERATION_MARKER });
    expect(marker).toMatchObject({ state: 'ready' });
    expect(marker).not.toHaveProperty('owner');
  });

  it('takes over a preparation abandoned long ago', async () => {
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await here.db
      .collections('g6')
      .marker.insertOne({ _id: GENERATION_MARKER, state: 'preparing', owner: 'dead', since: anHourAgo });
    expect(await here.generations.isIntact('g6')).toBe(false);
    await here.generations.prepare('g6');
    expect(await here.generations.isIntact('g6')).toBe(true);
  });
});
