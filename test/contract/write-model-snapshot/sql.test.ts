import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { writeSideIn } from '../../support/write-side-modules.js';
import { writeModelSnapshotContract } from './write-model-snapshot.contract.js';

describe.each(sqlKinds())('SQL write-model snapshot on %s', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  writeModelSnapshotContract(async () => {
    await db.truncate();
    return writeSideIn(db.db).side;
  });

  /**
   * With sequential scans, bitmap scans and sorts priced out, a batch after the first one
   * still plans as an index scan without a Sort: the primary key can serve it in order from
   * the previous key, whatever the table size (the planner would add a Sort otherwise).
   */
  it.each([
    ['users', `select id from users where id > $1::uuid order by id limit 500`, ['00000000-0000-4000-8000-000000000001']],
    [
      'follows',
      `select follower_id from follows where (follower_id, followee_id) > ($1::uuid, $2::uuid)
       order by follower_id, followee_id limit 500`,
      ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'],
    ],
    ['comments', `select id from comments where id > $1::bigint order by id limit 500`, ['7']],
  ])('reads a %s batch by an index range from the previous key', async (_name, sql, params) => {
    const plan = await db.db.transaction(async (tx) => {
      for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'])
        await tx.query(`set local ${setting} = off`);
      const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index (Only )?Scan/);
    expect(plan).not.toMatch(/Sort|Seq Scan/);
  });
});
