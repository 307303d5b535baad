import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryNotifications } from '../../../src/adapters/memory/in-memory-notifications.js';
import { SqlNotifications } from '../../../src/adapters/sql/notifications/sql-notifications.js';
import type { SqlDatabase, SqlExecutor } from '../../../src/adapters/sql/sql-database.js';
import { minutesAfterT0, newFavorite, newFollow, saved, storedArticle, storedUser } from '../repositories/write-side.contract.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { writeSideIn } from '../../support/write-side-modules.js';
import { notificationsContract } from './notifications.contract.js';

notificationsContract('in memory', async () => {
  const { side, container } = writeSideIn('memory');
  const store = container.get(InMemoryNotifications);
  return { side, writer: store, inbox: store };
});

/** Counts the statements a SqlNotifications sends, inside its transactions too, and its transactions. */
function counting(db: SqlDatabase): { readonly db: SqlDatabase; statements: () => number; transactions: () => number } {
  let statements = 0;
  let transactions = 0;
  const wrap = (executor: SqlExecutor): SqlExecutor => ({
    query: (sql, params) => {
      statements += 1;
      return executor.query(sql, params);
    },
  });
  const counted = {
    query: (sql: string, params?: readonly unknown[]) => wrap(db).query(sql, params),
    transaction: <T>(work: (tx: SqlExecutor) => Promise<T>) => {
      transactions += 1;
      return db.transaction((tx) => work(wrap(tx)));
    },
  };
  return { db: counted as unknown as SqlDatabase, statements: () => statements, transactions: () => transactions };
}

for (const kind of sqlKinds()) {
  describe(`SQL notifications on ${kind}`, () => {
    let test: TestSqlDatabase;
    beforeAll(async () => {
      test = await openTestDatabase(kind);
    }, 60_000);
    afterAll(async () => {
      await test?.close();
    });

    notificationsContract(kind, async () => {
      const { side } = writeSideIn(test.db);
      const store = new SqlNotifications(test.db, { fanOutBatch: 3 });
      return { side, writer: store, inbox: store };
    });

    /** An article by an author with `n` followers, its publication change, and how many notifications it has. */
    async function articleWithFollowers(n: number) {
      const { side } = writeSideIn(test.db);
      const author = await storedUser(side);
      const followers = await Promise.all(Array.from({ length: n }, () => storedUser(side)));
      for (const follower of followers) await saved(side.follows.save(newFollow(follower.id, author.id)));
      const article = await storedArticle(side, author.id);
      const published = { kind: 'article-published', articleId: article.id, authorId: author.id } as const;
      const notified = async () => {
        const [row] = await test.db.query<{ n: number }>(`select count(*)::int as n from notifications where article_id = $1 and withdrawn_at is null`, [article.id]);
        return row?.n;
      };
      return { article, published, notified };
    }

    it('fans out to many followers in batched statements, never one per follower', async () => {
      const { article, published, notified } = await articleWithFollowers(45);
      const counted = counting(test.db);
      const store = new SqlNotifications(counted.db, { fanOutBatch: 20 });
      expect(await store.apply('notifier', `fan-out-${article.id}`, published)).toBe('applied');
      // The one-statement attempt (45 do not fit in 20: it writes nothing), then in a
      // transaction the inbox row and 20 + 20 + 5 followers.
      expect(counted.statements()).toBe(5);
      expect(await notified()).toBe(45);
      // Delivered again: a duplicate, with nothing added.
      expect(await store.apply('notifier', `fan-out-${article.id}`, published)).toBe('duplicate');
      expect(await notified()).toBe(45);
    });

    it('writes a favourite’s or a follow’s notification, on or taken back, as ONE statement with its inbox row', async () => {
      const { side } = writeSideIn(test.db);
      const author = await storedUser(side);
      const fan = await storedUser(side);
      const article = await storedArticle(side, author.id);
      const counted = counting(test.db);
      const store = new SqlNotifications(counted.db);
      const favorite = newFavorite(fan.id, article.id);
      const follow = newFollow(fan.id, author.id);
      for (const active of [true, false, true]) {
        if (favorite.active !== active) favorite.switchTo(active, minutesAfterT0(active ? 2 : 1));
        if (follow.active !== active) follow.switchTo(active, minutesAfterT0(active ? 2 : 1));
        await saved(side.favorites.save(favorite));
        await saved(side.follows.save(follow));
        await store.apply('notifier', `fav-${article.id}-${favorite.version}`, { kind: 'article-favorited', articleId: article.id, userId: fan.id });
        await store.apply('notifier', `fol-${fan.id}-${follow.version}`, { kind: 'user-followed', followerId: fan.id, followeeId: author.id });
      }
      expect(counted.statements()).toBe(6);
      expect(counted.transactions()).toBe(0);
      expect((await store.list(author.id, { limit: 10, offset: 0 })).notificationsCount).toBe(2);
    });

    it.skipIf(kind !== 'postgres')(
      'keeps the later state when a handler that read the pair earlier commits after one that read it later',
      { timeout: 30_000 },
      async () => {
        const { side } = writeSideIn(test.db);
        const store = new SqlNotifications(test.db);
        const author = await storedUser(side);
        const fan = await storedUser(side);
        const article = await storedArticle(side, author.id);
        const favorite = newFavorite(fan.id, article.id);
        const fact = { kind: 'article-favorited', articleId: article.id, userId: fan.id } as const;
        await saved(side.favorites.save(favorite));
        await store.apply('notifier', `early-${fan.id}-0`, fact);
        // A handler held between its snapshot (the favourite on) and its write: its inbox row
        // waits for another transaction's uncommitted row of the same message id.
        const holder = new pg.Client({ connectionString: test.url });
        await holder.connect();
        try {
          await holder.query('begin');
          await holder.query(`insert into notification_inbox (consumer, message_id) values ('notifier', $1)`, [`early-${fan.id}-1`]);
          const early = store.apply('notifier', `early-${fan.id}-1`, fact);
          for (let i = 0; ; i++) {
            const [row] = (
              await holder.query<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
              )
            ).rows;
            if (row?.n === 1) break;
            if (i > 500) throw new Error('the early handler never waited');
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          favorite.switchTo(false, minutesAfterT0(1));
          await saved(side.favorites.save(favorite));
          expect(await store.apply('notifier', `late-${fan.id}`, fact)).toBe('applied');
          expect((await store.list(author.id, { limit: 10, offset: 0 })).notificationsCount).toBe(0);
          await holder.query('rollback');
          expect(await early).toBe('applied');
        } finally {
          await holder.end();
        }
        // The early handler read the favourite on, at an earlier version: the taken-back state stands.
        expect((await store.list(author.id, { limit: 10, offset: 0 })).notificationsCount).toBe(0);
      },
    );

    it('writes a publication whose followers fit in one fan-out statement as ONE statement with its inbox row', async () => {
      const { article, published, notified } = await articleWithFollowers(20);
      const counted = counting(test.db);
      const store = new SqlNotifications(counted.db, { fanOutBatch: 20 });
      expect(await store.apply('notifier', `one-${article.id}`, published)).toBe('applied');
      expect(counted.statements()).toBe(1);
      expect(counted.transactions()).toBe(0);
      expect(await notified()).toBe(20);
      expect(await store.apply('notifier', `one-${article.id}`, published)).toBe('duplicate');
      expect(counted.statements()).toBe(2);
      expect(await notified()).toBe(20);
    });
  });
}
