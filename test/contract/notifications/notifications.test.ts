import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryNotifications } from '../../../src/adapters/memory/in-memory-notifications.js';
import { SqlNotifications } from '../../../src/adapters/sql/notifications/sql-notifications.js';
import type { SqlDatabase, SqlExecutor } from '../../../src/adapters/sql/sql-database.js';
import { newFollow, saved, storedArticle, storedUser } from '../repositories/write-side.contract.js';
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
        const [row] = await test.db.query<{ n: number }>(`select count(*)::int as n from notifications where article_id = $1`, [article.id]);
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
