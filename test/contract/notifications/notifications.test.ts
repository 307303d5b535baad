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

    it('fans out to many followers in batched statements, never one per follower', async () => {
      const { side } = writeSideIn(test.db);
      const author = await storedUser(side);
      const followers = await Promise.all(Array.from({ length: 45 }, () => storedUser(side)));
      for (const follower of followers) await saved(side.follows.save(newFollow(follower.id, author.id)));
      const article = await storedArticle(side, author.id);
      const counted = counting(test.db);
      const store = new SqlNotifications(counted.db, { fanOutBatch: 20 });
      await store.apply('notifier', `fan-out-${article.id}`, { kind: 'article-published', articleId: article.id, authorId: author.id });
      // The one-statement attempt (45 do not fit in 20: it writes nothing), then in a
      // transaction the inbox row and 20 + 20 + 5 followers.
      expect(counted.statements()).toBe(5);
      const [row] = await test.db.query<{ n: number }>(`select count(*)::int as n from notifications where article_id = $1`, [article.id]);
      expect(row?.n).toBe(45);
      // Delivered again: a duplicate, in one statement, with nothing added.
      const again = counting(test.db);
      const store2 = new SqlNotifications(again.db, { fanOutBatch: 20 });
      expect(await store2.apply('notifier', `fan-out-${article.id}`, { kind: 'article-published', articleId: article.id, authorId: author.id })).toBe(
        'duplicate',
      );
      expect(again.statements()).toBeLessThanOrEqual(5);
    });

    it('writes a publication to at most one statement of followers, and a comment, as ONE statement with its inbox row', async () => {
      const { side } = writeSideIn(test.db);
      const author = await storedUser(side);
      const followers = await Promise.all(Array.from({ length: 20 }, () => storedUser(side)));
      for (const follower of followers) await saved(side.follows.save(newFollow(follower.id, author.id)));
      const article = await storedArticle(side, author.id);
      const counted = counting(test.db);
      const store = new SqlNotifications(counted.db, { fanOutBatch: 20 });
      const published = { kind: 'article-published', articleId: article.id, authorId: author.id } as const;
      expect(await store.apply('notifier', `one-${article.id}`, published)).toBe('applied');
      expect(counted.statements()).toBe(1);
      expect(counted.transactions()).toBe(0);
      const [row] = await test.db.query<{ n: number }>(`select count(*)::int as n from notifications where article_id = $1`, [article.id]);
      expect(row?.n).toBe(20);
      expect(await store.apply('notifier', `one-${article.id}`, published)).toBe('duplicate');
      expect(counted.statements()).toBe(2);
      const [again] = await test.db.query<{ n: number }>(`select count(*)::int as n from notifications where article_id = $1`, [article.id]);
      expect(again?.n).toBe(20);
    });
  });
}
