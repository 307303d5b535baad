import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTables } from '../../../src/adapters/sql/read/read-tables.js';
import { foldPendingCounts } from '../../../src/adapters/sql/read/sql-pending-counts.js';
import { SqlReadModelWriter } from '../../../src/adapters/sql/read/sql-read-model.writer.js';
import { openSqlReadSide, type ReadSideOfOneProcess } from '../../support/read-side-modules.js';
import { sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { anArticle, FixtureWriter, givenUsers } from './read-store.fixtures.js';

/**
 * Maintained counts as deltas (src/adapters/sql/read/sql-pending-counts.ts): a projection
 * appends its count deltas and waits on no counter row; every read adds the deltas still
 * pending; a fold moves them into the counters without changing any answer.
 */
describe.each(sqlKinds())('pending count deltas on SQL (%s)', (kind) => {
  let db: TestSqlDatabase;
  let side: ReadSideOfOneProcess;
  let generation: string;
  beforeAll(async () => ({ db, side, generation } = await openSqlReadSide(kind)));
  afterAll(async () => db?.close());

  const pendingRows = async () =>
    Number((await db.db.query<{ n: string }>(`select count(*) as n from ${readTables(generation).countDeltas}`))[0]?.n);

  /** Every count the stores answer, read through the ports. */
  const answers = async (authorKey: string, favoriterKey: string, slug: string, viewerId: string) => {
    const { articles } = side.stores;
    const page = { limit: 1, offset: 0 };
    return {
      all: (await articles.list({}, page)).total,
      tag: (await articles.list({ tag: 'counted' }, page)).total,
      author: (await articles.list({ authorKey }, page)).total,
      favorited: (await articles.list({ favoritedByKey: favoriterKey }, page)).total,
      feed: (await articles.feed(viewerId, page)).total,
      favorites: (await articles.findBySlug(slug))?.favoritesCount,
      listedFavorites: (await articles.list({ authorKey }, { limit: 10, offset: 0 })).items.find((a) => a.slug === slug)?.favoritesCount,
      tags: await articles.tags(),
    };
  };

  it('answers the same counts before and after a fold, which empties the deltas', async () => {
    const writer = new FixtureWriter(SqlReadModelWriter.forGeneration(db.db, generation));
    const [author, fan, viewer] = await givenUsers({ ...side.stores, writer }, 3);
    const mine = [1, 2, 3].map(() => anArticle(author!, { tagList: ['counted', 'other'] }));
    for (const article of mine) await writer.upsertArticle(article);
    await writer.setFavorite(fan!.id, mine[0]!.id, true, 1);
    await writer.setFavorite(viewer!.id, mine[0]!.id, true, 1);
    await writer.setFavorite(viewer!.id, mine[0]!.id, false, 2);
    await writer.setFollow(viewer!.id, author!.id, true, 1);
    await writer.deleteArticle(mine[2]!.id, 2);
    await writer.upsertArticle({ ...mine[1]!, tagList: ['other'], version: 2 });

    const before = await answers(author!.username, fan!.username, mine[0]!.slug, viewer!.id);
    expect(before).toMatchObject({ tag: 1, author: 2, favorited: 1, feed: 2, favorites: 1, listedFavorites: 1 });
    expect(before.tags).toEqual(expect.arrayContaining(['counted', 'other']));
    // Folds run in the background after each batch; one more, until nothing is left.
    for (let i = 0; i < 10 && (await pendingRows()) > 0; i++) await foldPendingCounts(db.db, readTables(generation));
    expect(await pendingRows()).toBe(0);
    expect(await answers(author!.username, fan!.username, mine[0]!.slug, viewer!.id)).toEqual(before);
  });

  it.skipIf(kind !== 'postgres')(
    'projects creates while another session holds the counter rows, and counts them at once',
    { timeout: 30_000 },
    async () => {
      const t = readTables(generation);
      const writer = new FixtureWriter(SqlReadModelWriter.forGeneration(db.db, generation));
      const [author] = await givenUsers({ ...side.stores, writer }, 1);
      await writer.upsertArticle(anArticle(author!, { tagList: ['counted'] }));
      for (let i = 0; i < 10 && (await pendingRows()) > 0; i++) await foldPendingCounts(db.db, t);
      const total = async () => (await side.stores.articles.list({ tag: 'counted' }, { limit: 1, offset: 0 })).total;
      const counted = await total();
      // Another session holds every counter row these creates move, as a concurrent
      // projection did before counts became deltas: now nothing waits for it.
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query(`select 1 from ${t.counts} for update`);
        await holder.query(`select 1 from ${t.tags} for update`);
        for (let i = 0; i < 3; i++) await writer.upsertArticle(anArticle(author!, { tagList: ['counted'] }));
        expect(await total()).toBe(counted + 3);
        // A fold cannot move them while the rows are held; it gives up or waits, and reads go on.
        expect(await pendingRows()).toBeGreaterThan(0);
      } finally {
        await holder.query('rollback');
        await holder.end();
      }
      for (let i = 0; i < 10 && (await pendingRows()) > 0; i++) await foldPendingCounts(db.db, t);
      expect(await total()).toBe(counted + 3);
    },
  );
});
