import { afterEach, describe, expect, it } from 'vitest';
import { openSqlDatabase } from '../../../src/adapters/sql/open-sql-database.js';
import type { SqlDatabase } from '../../../src/adapters/sql/sql-database.js';
import { favoriteCountShard } from '../../../src/adapters/sql/write/sql-favorite.repository.js';
import { createEmptyTestDatabase, sqlKinds } from '../../support/sql.js';

const open = async (kind: 'pglite' | 'postgres'): Promise<{ db: SqlDatabase; drop: () => Promise<void> }> => {
  if (kind === 'pglite') return { db: await openSqlDatabase({ dataDir: 'memory://' }), drop: async () => {} };
  const empty = await createEmptyTestDatabase();
  return { db: await openSqlDatabase({ databaseUrl: empty.url, poolSize: 2 }), drop: empty.drop };
};

const userId = (n: number) => `0190a6b2-7c1e-7a3b-9c2d-0000000000${n.toString(16).padStart(2, '0')}`;
const ARTICLE = ['0190a6b2-7c1e-7a3b-9c2d-100000000001', '0190a6b2-7c1e-7a3b-9c2d-100000000002'];

/** Migration 0008 on a database that holds favourites counted the old way (a column of `articles`). */
describe.each(sqlKinds())('favourites counts moved into shards (migration 0008) on %s', (kind) => {
  let opened: { db: SqlDatabase; drop: () => Promise<void> } | null = null;
  afterEach(async () => {
    await opened?.db.close();
    await opened?.drop();
    opened = null;
  });

  it('counts each article’s active favourites per shard of the users’ ids, and gives the column back on the way down', async () => {
    opened = await open(kind);
    const { db } = opened;
    await db.orm.migrator.up({ to: 'Migration0007CredentialChanges' });
    // 40 users, so that their ids fall in every shard; each favourites the first article, every third the second one too.
    for (let n = 0; n < 40; n++)
      await db.query(
        `insert into users (id, username, username_key, email, password_hash, version, created_at, updated_at)
         values ($1, $2, $2, $2 || '@x.test', 'h', 1, now(), now())`,
        [userId(n), `user${n}`],
      );
    for (const [i, id] of ARTICLE.entries())
      await db.query(
        `insert into articles (id, author_id, slug, title, description, body, created_at, updated_at, version)
         values ($1, $2, $3, 't', 'd', 'b', now(), now(), 1)`,
        [id, userId(0), `slug-${i}`],
      );
    const favourites: [number, number, boolean][] = [];
    for (let n = 0; n < 40; n++) {
      favourites.push([n, 0, n % 5 !== 0]);
      if (n % 3 === 0) favourites.push([n, 1, true]);
    }
    for (const [n, a, active] of favourites)
      await db.query(`insert into favorites (user_id, article_id, active, version, updated_at) values ($1, $2, $3, 1, now())`, [
        userId(n),
        ARTICLE[a],
        active,
      ]);
    await db.query(
      `update articles a set favorites_count = (select count(*) from favorites f where f.article_id = a.id and f.active)`,
    );

    await db.migrate();
    const shards = await db.query<{ article_id: string; shard: number; n: number }>(
      `select article_id::text, shard, n from article_favorite_counts order by article_id, shard`,
    );
    const expected = new Map<string, number>();
    for (const [n, a, active] of favourites) {
      if (!active) continue;
      const key = `${ARTICLE[a]}/${favoriteCountShard(userId(n))}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(new Map(shards.map((row) => [`${row.article_id}/${row.shard}`, row.n]))).toEqual(expected);
    expect(new Set(shards.filter((row) => row.article_id === ARTICLE[0]).map((row) => row.shard)).size).toBe(16);
    expect(
      (await db.query(`select 1 from information_schema.columns where table_name = 'articles' and column_name = 'favorites_count'`)).length,
    ).toBe(0);

    await db.orm.migrator.down({ to: 'Migration0007CredentialChanges' });
    const back = await db.query<{ id: string; favorites_count: number }>(`select id::text, favorites_count from articles order by id`);
    expect(back).toEqual([
      { id: ARTICLE[0], favorites_count: 32 },
      { id: ARTICLE[1], favorites_count: 14 },
    ]);
  });
});
