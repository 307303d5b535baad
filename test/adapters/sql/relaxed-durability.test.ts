import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestSqlDatabase } from '../../support/sql.js';

/**
 * Only the subscribers' side (claims, acknowledgements, read-model batches) may commit
 * without waiting for the disk; the write model's statements must stay durable at commit.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('SqlDatabase durability on PostgreSQL', () => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
  });
  afterAll(async () => db?.close());

  const setting = async (query: (sql: string) => Promise<{ synchronous_commit: string }[]>) =>
    (await query('show synchronous_commit'))[0]?.synchronous_commit;

  it('commits the write model synchronously and the relaxed executor asynchronously', async () => {
    expect(await setting((sql) => db.db.query(sql))).toBe('on');
    expect(await setting((sql) => db.db.relaxed.query(sql))).toBe('off');
    expect(await db.db.relaxed.transaction((tx) => setting((sql) => tx.query(sql)))).toBe('off');
    expect(await db.db.transaction((tx) => setting((sql) => tx.query(sql)))).toBe('on');
  });

  it('rolls a relaxed transaction back when its work fails, and reports the error', async () => {
    await db.db.query('create table relaxed_probe (n int)');
    await expect(
      db.db.relaxed.transaction(async (tx) => {
        await tx.query('insert into relaxed_probe values (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.db.query('select * from relaxed_probe')).toEqual([]);
  });
});
