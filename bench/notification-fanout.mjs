#!/usr/bin/env node
// Fan-out of one publication to a prolific author's followers (see docs/performance.md):
//
//   npm run build && TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/conduit_bench_test \
//     node bench/notification-fanout.mjs 10000 50000
//
// For each follower count it creates a database of its own (named after TEST_DATABASE_URL's,
// which must contain "test"), migrates it, inserts the author, the followers and their
// follows in three statements, runs VACUUM (ANALYZE), then times the notifier's handling of
// the article's `conduit.article.published.v1` (inbox row + batched INSERT … SELECT, one
// transaction) with the built SqlNotifications, and counts the statements it sent. The
// database is dropped afterwards.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SqlNotifications } from '../dist/src/adapters/sql/notifications/sql-notifications.js';
import { openSqlDatabase } from '../dist/src/adapters/sql/open-sql-database.js';

const base = process.env.TEST_DATABASE_URL;
if (!base || !/test/i.test(new URL(base).pathname)) {
  console.error('TEST_DATABASE_URL must name a PostgreSQL database for tests (its name contains "test")');
  process.exit(2);
}
const counts = process.argv.slice(2).map(Number);
if (counts.length === 0 || counts.some((n) => !Number.isSafeInteger(n) || n < 1)) {
  console.error('usage: node bench/notification-fanout.mjs FOLLOWERS [FOLLOWERS…]');
  process.exit(2);
}

async function admin(sql) {
  const url = new URL(base);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function measure(followers) {
  const name = `${new URL(base).pathname.slice(1)}_fanout_${randomBytes(3).toString('hex')}`;
  await admin(`create database "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openSqlDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  try {
    await db.migrate();
    const author = randomUUID();
    const article = randomUUID();
    await db.query(
      `insert into users (id, username, username_key, email, password_hash, created_at, updated_at, version)
       select case when i = 0 then $1::uuid else gen_random_uuid() end, 'u' || i, 'u' || i, 'u' || i || '@bench.test', 'x', now(), now(), 1
         from generate_series(0, $2::int) i`,
      [author, followers],
    );
    await db.query(
      `insert into follows (follower_id, followee_id, active, version, updated_at)
       select id, $1, true, 1, now() - interval '1 day' from users where id <> $1`,
      [author],
    );
    await db.query(
      `insert into articles (id, author_id, slug, title, description, body, created_at, updated_at, version)
       values ($1, $2, 'news', 'News', 'd', 'b', now(), now(), 1)`,
      [article, author],
    );
    await db.query('vacuum analyze');
    let statements = 0;
    const counted = {
      query: (sql, params) => db.query(sql, params),
      transaction: (work) =>
        db.transaction((tx) => work({ query: (sql, params) => ((statements += 1), tx.query(sql, params)) })),
    };
    const store = new SqlNotifications(counted, { fanOutBatch: 5000 });
    const started = performance.now();
    await store.apply('notifier', `bench-${article}`, { kind: 'article-published', articleId: article, authorId: author });
    const ms = performance.now() - started;
    const [row] = await db.query('select count(*)::int as n from notifications');
    console.log(`${followers} followers: ${row.n} notifications in ${Math.round(ms)} ms, ${statements} statements (${Math.round((row.n / ms) * 1000)} rows/s)`);
  } finally {
    await db.close();
    await admin(`drop database if exists "${name}" with (force)`);
  }
}

for (const followers of counts) await measure(followers);
