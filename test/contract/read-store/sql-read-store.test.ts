import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqlReadModelWriter } from '../../../src/adapters/sql/read/sql-read-model.writer.js';
import { openSqlReadSide, type ReadSideOfOneProcess } from '../../support/read-side-modules.js';
import { sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { until } from '../../support/until.js';
import { readStoreContracts } from './read-store.contract.js';
import { aComment, anArticle, at, aUser, FixtureWriter, givenUsers, type ReadStores } from './read-store.fixtures.js';

/** Writers whose statements a test counts start no folds of pending counts (they would be counted too). */
const NO_FOLDS = Infinity;

/** An article fixture as its change's payload. */
const articleOf = ({ id, version: _, ...fields }: ReturnType<typeof anArticle>) => ({ articleId: id, ...fields });

/** A comment fixture as its change's payload. */
const commentOf = ({ id, ...fields }: ReturnType<typeof aComment>) => ({ commentId: id, ...fields });

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
      const live = SqlReadModelWriter.forGeneration(db.db, generation, NO_FOLDS);
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
          { kind: 'article', article: articleOf(anArticle(author!)), version: 1 },
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

  describe('lone changes without a transaction', () => {
    /** The writer's statements and transactions on the relaxed executor, counted while `run` runs. */
    const counted = async (run: () => Promise<void>): Promise<[statements: number, transactions: number]> => {
      const statements = vi.spyOn(db.db.relaxed, 'query');
      const transactions = vi.spyOn(db.db.relaxed, 'transaction');
      try {
        await run();
        return [statements.mock.calls.length, transactions.mock.calls.length];
      } finally {
        statements.mockRestore();
        transactions.mockRestore();
      }
    };
    const page = { limit: 20, offset: 0 };

    it('rewrites an edited article in place in ONE statement while its tags and author stay; else under the transaction', async () => {
      const stores = await fresh();
      const live = SqlReadModelWriter.forGeneration(db.db, generation, NO_FOLDS);
      const writer = new FixtureWriter(live);
      const [author] = await givenUsers({ ...stores, writer }, 1);
      const article = anArticle(author!, { tagList: ['kept', 'moved'] });
      // The publication (version 1) is never tried in place: straight to the transaction.
      expect(await counted(() => writer.upsertArticle(article))).toEqual([0, 1]);

      const edited = { ...article, body: 'Edited in place', updatedAt: at(500), version: 2 };
      expect(await counted(() => writer.upsertArticle(edited))).toEqual([1, 0]);
      expect((await stores.articles.findBySlug(article.slug))?.body).toBe('Edited in place');

      // A tag changed: the in-place statement writes nothing, and the locked upsert moves the counts.
      const retagged = { ...edited, tagList: ['kept', 'new'], body: 'Retagged', version: 3 };
      expect(await counted(() => writer.upsertArticle(retagged))).toEqual([1, 1]);
      expect((await stores.articles.findBySlug(article.slug))?.body).toBe('Retagged');
      for (const [tag, n] of [['kept', 1], ['moved', 0], ['new', 1]] as const)
        expect((await stores.articles.list({ tag }, page)).total, tag).toBe(n);

      // A stale or repeated edit changes nothing on either path.
      await writer.upsertArticle({ ...edited, body: 'Stale', version: 2 });
      await writer.upsertArticle({ ...retagged, body: 'Repeated', version: 3 });
      const stored = await stores.articles.findBySlug(article.slug);
      expect([stored?.body, stored?.tagList]).toEqual(['Retagged', ['kept', 'new']]);
      expect((await stores.articles.list({}, page)).total).toBe(1);
      expect((await stores.articles.list({ authorKey: author!.username }, page)).total).toBe(1);

      // A deleted article is not brought back by a late edit.
      await writer.deleteArticle(article.id, 4);
      await writer.upsertArticle({ ...retagged, body: 'Late', version: 3 });
      expect(await stores.articles.findBySlug(article.slug)).toBeNull();
    });

    it.skipIf(kind !== 'postgres')(
      'never lets a locked upsert that read an older state overwrite a later in-place rewrite',
      { timeout: 30_000 },
      async () => {
        const stores = await fresh();
        const live = SqlReadModelWriter.forGeneration(db.db, generation, NO_FOLDS);
        const writer = new FixtureWriter(live);
        const [author, fan] = await givenUsers({ ...stores, writer }, 2);
        const article = anArticle(author!, { tagList: ['a'] });
        await writer.upsertArticle(article);
        const articles = `"rm_${generation}".rm_articles`;
        // The row held, as an in-place rewrite holds it between its UPDATE and its commit.
        const holder = new pg.Client({ connectionString: db.url });
        await holder.connect();
        try {
          await holder.query('begin');
          await holder.query(`select 1 from ${articles} where id = $1 for update`, [article.id]);
          // Version 2 with another tag, in a batch (so under the transaction and the article's
          // lock): it reads version 1 as its prior state, then waits for the row.
          const older = live.apply([
            { kind: 'article', article: { ...articleOf(article), tagList: ['b'], body: 'Older' }, version: 2 },
            { kind: 'follow', pair: { followerId: fan!.id, followeeId: author!.id }, active: true, version: 1 },
          ]);
          await until('the locked upsert to wait for the row', async () => {
            const { rows } = await holder.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            );
            return rows[0]?.n === 1;
          });
          // What rewriteArticleInPlace writes for version 3: the same tags, a new body.
          await holder.query(`update ${articles} set body = 'Newer', version = 3 where id = $1`, [article.id]);
          await holder.query('commit');
          await older;
        } finally {
          await holder.end();
        }
        const stored = await stores.articles.findBySlug(article.slug);
        expect([stored?.body, stored?.tagList]).toEqual(['Newer', ['a']]);
        expect([(await stores.articles.list({ tag: 'a' }, page)).total, (await stores.articles.list({ tag: 'b' }, page)).total]).toEqual([1, 0]);
      },
    );

    it('projects a lone favourite with its counts in ONE statement where transactions run one after the other', async () => {
      const stores = await fresh();
      const writer = new FixtureWriter(SqlReadModelWriter.forGeneration(db.db, generation, NO_FOLDS));
      const [author, fan] = await givenUsers({ ...stores, writer }, 2);
      const article = anArticle(author!);
      await writer.upsertArticle(article);
      const counts = async () => [
        (await stores.articles.findBySlug(article.slug))?.favoritesCount,
        (await stores.articles.list({ favoritedByKey: fan!.username }, page)).total,
      ];
      const alone = kind === 'pglite' ? [1, 0] : [0, 1];
      expect(await counted(() => writer.setFavorite(fan!.id, article.id, true, 1))).toEqual(alone);
      expect(await counts()).toEqual([1, 1]);
      // A repeat, and a stale switch off, move nothing; a later switch off moves both back.
      await writer.setFavorite(fan!.id, article.id, true, 1);
      await writer.setFavorite(fan!.id, article.id, false, 1);
      expect(await counts()).toEqual([1, 1]);
      expect(await counted(() => writer.setFavorite(fan!.id, article.id, false, 2))).toEqual(alone);
      expect(await counts()).toEqual([0, 0]);
      // Switched on again at a later version, then a switch that changes nothing (on over on).
      await writer.setFavorite(fan!.id, article.id, true, 3);
      await writer.setFavorite(fan!.id, article.id, true, 4);
      expect(await counts()).toEqual([1, 1]);

      // A lone favourite's deltas are folded into the counters after it, as a batch's are.
      const folding = new FixtureWriter(SqlReadModelWriter.forGeneration(db.db, generation));
      await folding.setFavorite(author!.id, article.id, true, 1);
      await until('the pending deltas folded', async () => {
        const [pending] = await db.db.query<{ n: number }>(`select count(*)::int as n from "rm_${generation}".rm_count_deltas`);
        return pending?.n === 0;
      });
      expect((await stores.articles.findBySlug(article.slug))?.favoritesCount).toBe(2);
    });

    it('deletes a lone comment in ONE statement; adds one so only where transactions run one after the other', async () => {
      const stores = await fresh();
      const live = SqlReadModelWriter.forGeneration(db.db, generation, NO_FOLDS);
      const writer = new FixtureWriter(live);
      const [author] = await givenUsers({ ...stores, writer }, 1);
      const article = anArticle(author!);
      await writer.upsertArticle(article);
      const comment = aComment(article, author!);
      expect(await counted(() => writer.addComment(comment))).toEqual(kind === 'pglite' ? [1, 0] : [0, 1]);
      expect((await stores.comments.listByArticle(article.id)).map((c) => c.id)).toEqual([comment.id]);
      expect(await counted(() => writer.deleteComment(comment.id))).toEqual([1, 0]);
      expect(await stores.comments.listByArticle(article.id)).toEqual([]);
      // The deletion's tombstone holds back a late copy of the addition.
      await writer.addComment(comment);
      expect(await stores.comments.listByArticle(article.id)).toEqual([]);

      // A batch of such changes: on PGlite their statements one by one, else the one transaction.
      const [second, third] = [aComment(article, author!), aComment(article, author!)];
      const [fan] = await givenUsers({ ...stores, writer }, 1);
      const batch = () =>
        writer.apply(
          { kind: 'comment', comment: commentOf(second) },
          { kind: 'comment', comment: commentOf(third) },
          { kind: 'follow', pair: { followerId: fan!.id, followeeId: author!.id }, active: true, version: 1 },
        );
      expect(await counted(batch)).toEqual(kind === 'pglite' ? [3, 0] : [0, 1]);
      expect((await stores.comments.listByArticle(article.id)).map((c) => c.id)).toEqual([second.id, third.id]);
      expect([...(await stores.relationships.followedAmong(fan!.id, [author!.id]))]).toEqual([author!.id]);
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
