#!/usr/bin/env node
// The write baseline (PostgreSQL only): one Fastify route that stores an article-like
// row and an outbox-like row in ONE transaction written by hand with node-postgres —
// BEGIN; INSERT; INSERT; COMMIT, four statements — on a pool of DATABASE_POOL_SIZE
// connections (the server's default, 10). No validation, no domain, no projection:
// what a write costs at the least on this machine and database. The scratch tables
// (scratch-schema.mjs) are created by the benchmark before this starts.
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { baselineLogger, listen } from './logger.mjs';
import { SCRATCH_SCHEMA } from './scratch-schema.mjs';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('write baseline: DATABASE_URL is required');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
pool.on('error', (error) => console.error('write baseline: idle client error', error.message));

const AUTHOR_ID = randomUUID();
const INSERT_ARTICLE = `insert into ${SCRATCH_SCHEMA}.articles
  (id, author_id, slug, title, description, body, tag_list, created_at, updated_at, version)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1)`;
const INSERT_EVENT = `insert into ${SCRATCH_SCHEMA}.outbox
  (aggregate_type, aggregate_id, version, type, payload, occurred_at)
  values ('Article', $1, 1, 'ArticleCreated', $2, $3)`;

const slugOf = (title, id) =>
  `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80)}-${id.slice(0, 8)}`;

const { logger, source } = await baselineLogger();
const app = Fastify({ loggerInstance: logger, bodyLimit: 1024 * 1024 });

app.post('/baseline/articles', async (request, reply) => {
  const input = request.body?.article ?? {};
  const id = randomUUID();
  const now = new Date();
  const article = {
    slug: slugOf(String(input.title ?? 'untitled'), id),
    title: String(input.title ?? ''),
    description: String(input.description ?? ''),
    body: String(input.body ?? ''),
    tagList: Array.isArray(input.tagList) ? input.tagList.map(String) : [],
  };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(INSERT_ARTICLE, [
      id, AUTHOR_ID, article.slug, article.title, article.description, article.body, article.tagList, now,
    ]);
    await client.query(INSERT_EVENT, [id, JSON.stringify({ ...article, authorId: AUTHOR_ID }), now]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  reply.code(201);
  return {
    article: {
      ...article,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      favorited: false,
      favoritesCount: 0,
      author: { username: 'baseline', bio: null, image: null, following: false },
    },
  };
});
app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

app.log.warn({ loggerFrom: source }, 'write baseline starting');
await listen(app, () => pool.end());
