import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroOrmArticleRepository } from '../../../src/adapters/postgres/mikro-orm-article.repository.js';
import { MikroOrmCommentRepository } from '../../../src/adapters/postgres/mikro-orm-comment.repository.js';
import { MikroOrmEventOutbox } from '../../../src/adapters/postgres/mikro-orm-event-outbox.js';
import { MikroOrmFavoriteRepository } from '../../../src/adapters/postgres/mikro-orm-favorite.repository.js';
import { MikroOrmFollowRepository } from '../../../src/adapters/postgres/mikro-orm-follow.repository.js';
import { MikroOrmUserRepository } from '../../../src/adapters/postgres/mikro-orm-user.repository.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { writeSideContracts } from './all.contract.js';
import type { WriteSide } from './write-side.contract.js';

describe.each(sqlKinds())('write side on MikroORM + %s', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  /** One database per file, emptied before each test (sequences restarted too). */
  const openSql = async (): Promise<WriteSide> => {
    await db.truncate();
    return {
      users: new MikroOrmUserRepository(db.orm),
      follows: new MikroOrmFollowRepository(db.orm),
      articles: new MikroOrmArticleRepository(db.orm),
      favorites: new MikroOrmFavoriteRepository(db.orm),
      comments: new MikroOrmCommentRepository(db.orm),
      outbox: new MikroOrmEventOutbox(db.orm),
    };
  };

  writeSideContracts(openSql);

  it('has mappings that describe exactly the schema the migrations built', async () => {
    // Tables other mappings own (the read models) are not this file's business.
    expect(await db.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: false })).toBe('');
  });
});
