import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from './sql.js';

describe.each(sqlKinds())('test database on %s', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  it('runs the migrations and answers queries', async () => {
    const rows = await db.db.query<{ n: number }>('select 1 as n');
    expect(rows[0]?.n).toBe(1);
    expect((await db.db.query<{ name: string }>('select name from outbox_subscribers')).map((r) => r.name)).toEqual([
      'projector',
    ]);
    await db.truncate();
  });
});
