import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqlReadModelWriter } from '../../../src/adapters/sql/read/sql-read-model.writer.js';
import { openSqlReadSide, type ReadSideOfOneProcess } from '../../support/read-side-modules.js';
import { sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { readStoreContracts } from './read-store.contract.js';
import { anArticle, aUser, FixtureWriter, givenUsers, type ReadStores } from './read-store.fixtures.js';

describe.each(sqlKinds())('SQL read store on %s', (kind) => {
  let db: TestSqlDatabase;
  let side: ReadSideOfOneProcess;
  let generation: string;
  beforeAll(async () => ({ db, side, generation } = await openSqlReadSide(kind)));
  afterAll(async () => db?.close());

  /** The generation's tables emptied (DDL once per file: it is the slow part on PGlite). */
  const fresh = async (): Promise<ReadStores> => {
    await db.db.query(
      `truncate ${['users', 'articles', 'article_tombstones', 'follows', 'favorites', 'comments', 'comment_tombstones', 'tags', 'counts', 'count_deltas']
        .map((table) => `"rm_${generation}".rm_${table}`)
        .join(', ')}`,
    );
    return side.stores;
  };

  readStoreContracts(fresh);

  describe('statements per call (no N+1)', () => {
    it('lists with two statements and answers relationships with one, whatever the page size', async () => {
      const stores = await fresh();
      const writer = new FixtureWriter(SqlReadModelWriter.forGeneration(db.db, generation));
      const [author, viewer] = await givenUsers({ ...stores, writer }, 2);
      for (let i = 0; i < 25; i++) await writer.upsertArticle(anArticle(author!, { tagList: ['t'] }));
      // The active generation is read once per second, not per call (its own test): read it now.
      await stores.users.findById('warm');
      const spy = vi.spyOn(db.db, 'query');
      try {
        for (const limit of [1, 20]) {
          spy.mockClear();
          const page = await stores.articles.list({ tag: 't', authorKey: author!.username }, { limit, offset: 0 });
          expect(page.items).toHaveLength(limit);
          expect(spy).toHaveBeenCalledTimes(2);
          spy.mockClear();
          await stores.articles.feed(viewer!.id, { limit, offset: 0 });
          expect(spy).toHaveBeenCalledTimes(2);
          spy.mockClear();
          await stores.relationships.favoritedAmong(viewer!.id, page.items.map((a) => a.id));
          await stores.relationships.followedAmong(viewer!.id, [author!.id]);
          expect(spy).toHaveBeenCalledTimes(2);
        }
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('transactions of the projection', () => {
    it('projects a lone follow in ONE statement, without a transaction; with other changes, in the batch’s one', async () => {
      const stores = await fresh();
      const live = SqlReadModelWriter.forGeneration(db.db, generation);
      const writer = new FixtureWriter(live);
      const [author, fan, other] = await givenUsers({ ...stores, writer }, 3);
      const relaxed = db.db.relaxed;
      const statements = vi.spyOn(relaxed, 'query');
      const transactions = vi.spyOn(relaxed, 'transaction');
      try {
        await live.apply([{ kind: 'follow', pair: { followerId: fan!.id, followeeId: author!.id }, active: true, version: 1 }]);
        expect([statements.mock.calls.length, transactions.mock.calls.length]).toEqual([1, 0]);
        expect([...(await stores.relationships.followedAmong(fan!.id, [author!.id]))]).toEqual([author!.id]);
        // An older version alone changes nothing (the statement's own guard).
        await live.apply([{ kind: 'follow', pair: { followerId: fan!.id, followeeId: author!.id }, active: false, version: 1 }]);
        expect([...(await stores.relationships.followedAmong(fan!.id, [author!.id]))]).toEqual([author!.id]);

        statements.mockClear();
        await live.apply([
          { kind: 'follow', pair: { followerId: fan!.id, followeeId: author!.id }, active: false, version: 2 },
          { kind: 'follow', pair: { followerId: other!.id, followeeId: author!.id }, active: true, version: 1 },
        ]);
        expect(transactions).toHaveBeenCalledTimes(1);
        expect(statements).not.toHaveBeenCalled();
        expect([...(await stores.relationships.followedAmong(fan!.id, [author!.id]))]).toEqual([]);
        expect([...(await stores.relationships.followedAmong(other!.id, [author!.id]))]).toEqual([author!.id]);
      } finally {
        statements.mockRestore();
        transactions.mockRestore();
      }
    });
  });

  describe('indexes', () => {
    /**
     * With sequential scans priced out, a query the indexes can serve shows no Seq Scan in its
     * plan: this proves an index exists for it without needing a table large enough for the
     * planner to prefer it on its own.
     */
    const planOf = (sql: string, params: unknown[]): Promise<string> =>
      db.db.transaction(async (tx) => {
        await tx.query(`set local enable_seqscan = off`);
        // The statements below name the tables unqualified, as they are inside the generation.
        await tx.query(`set local search_path to "rm_${generation}"`);
        const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });

    it.each([
      ['global list, in index order', `select id from rm_articles a order by a.created_at desc, a.id desc limit 20`, []],
      ['tag filter', `select id from rm_articles a where a.tag_list @> array[$1::text]`, ['t']],
      [
        'author filter, in index order',
        `select id from rm_articles a where a.author_id = (select u.id from rm_users u where u.username_key = $1)
         order by a.created_at desc, a.id desc limit 20`,
        ['jake'],
      ],
      [
        'favourited-by filter',
        `select id from rm_articles a where a.id in (select f.article_id from rm_favorites f where f.active
         and f.user_id = (select u.id from rm_users u where u.username_key = $1))`,
        ['jake'],
      ],
      [
        'feed',
        `select id from rm_articles a where a.author_id in
         (select s.followee_id from rm_follows s where s.follower_id = $1 and s.active)`,
        ['x'],
      ],
      ['comments of an article', `select id from rm_comments c where c.article_id = $1 order by c.created_at, c.id`, ['x']],
      ['tags by count', `select tag from rm_tags where article_count > 0 order by article_count desc, tag limit 20`, []],
      ['favouriters of a deleted article', `select user_id from rm_favorites f where f.article_id = $1 and f.active`, ['x']],
      ['maintained count', `select n from rm_counts where key = $1`, ['articles']],
      ['tag count', `select article_count from rm_tags where tag = $1`, ['t']],
      ['pending deltas of one count', `select sum(p.n) from rm_count_deltas p where p.kind = 'count' and p.key = $1`, ['articles']],
      ['rename of embedded comment authors', `select id from rm_comments where author_id = $1`, ['x']],
      ['relationships batch', `select followee_id from rm_follows where follower_id = $1 and followee_id = any($2::text[])`, ['x', ['y']]],
    ])('%s is served by an index', async (_name, sql, params) => {
      const plan = await planOf(sql, params);
      expect(plan).not.toMatch(/Seq Scan/);
      if (_name.endsWith('in index order')) expect(plan).not.toMatch(/Sort/);
    });
  });

  it('binds values as parameters: quotes, backslashes and placeholders in data are data', async () => {
    const stores = await fresh();
    const user = aUser({ username: "o'brien", bio: "it's \\ ? $1 '); drop table rm_users; --" });
    await stores.writer.upsertUser(user);
    await stores.writer.upsertArticle(anArticle(user, { slug: 'q', tagList: ["a'b", 'c,"d', '{e}', 'NULL'] }));
    expect((await stores.users.findById(user.id))?.bio).toBe(user.bio);
    expect((await stores.articles.findBySlug('q'))?.tagList).toEqual(["a'b", 'c,"d', '{e}', 'NULL']);
    expect((await stores.articles.list({ tag: "a'b" }, { limit: 5, offset: 0 })).total).toBe(1);
    expect((await stores.articles.list({ authorKey: "O'Brien" }, { limit: 5, offset: 0 })).total).toBe(1);
  });
});
