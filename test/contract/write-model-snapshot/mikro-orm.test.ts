import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroOrmArticleRepository } from '../../../src/adapters/postgres/mikro-orm-article.repository.js';
import { MikroOrmCommentRepository } from '../../../src/adapters/postgres/mikro-orm-comment.repository.js';
import { MikroOrmEventOutbox } from '../../../src/adapters/postgres/mikro-orm-event-outbox.js';
import { MikroOrmFavoriteRepository } from '../../../src/adapters/postgres/mikro-orm-favorite.repository.js';
import { MikroOrmFollowRepository } from '../../../src/adapters/postgres/mikro-orm-follow.repository.js';
import { MikroOrmUserRepository } from '../../../src/adapters/postgres/mikro-orm-user.repository.js';
import { MikroOrmWriteModelSnapshot } from '../../../src/adapters/postgres/mikro-orm-write-model-snapshot.js';
import { SqlReadDatabase } from '../../../src/adapters/sql-read-store/sql-read-database.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { writeModelSnapshotContract } from './write-model-snapshot.contract.js';

describe.each(sqlKinds())('MikroORM write-model snapshot on %s', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  writeModelSnapshotContract(async () => {
    await db.truncate();
    return {
      snapshot: new MikroOrmWriteModelSnapshot(db.orm),
      write: {
        users: new MikroOrmUserRepository(db.orm),
        follows: new MikroOrmFollowRepository(db.orm),
        articles: new MikroOrmArticleRepository(db.orm),
        favorites: new MikroOrmFavoriteRepository(db.orm),
        comments: new MikroOrmCommentRepository(db.orm),
        outbox: new MikroOrmEventOutbox(db.orm),
      },
    };
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
    const plan = await new SqlReadDatabase(db.orm).transaction(async (tx) => {
      for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'])
        await tx.rows(`set local ${setting} = off`);
      const rows = await tx.rows<{ 'QUERY PLAN': string }>(`explain ${sql}`, params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index (Only )?Scan/);
    expect(plan).not.toMatch(/Sort|Seq Scan/);
  });
});
