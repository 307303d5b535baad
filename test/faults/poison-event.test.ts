import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../stack/support/api.js';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { boundedWrites, Processes, SETUP_TIMEOUT_MS, until, type ApiProcess, type Settings } from './support/processes.js';

/**
 * A poison event: an outbox row whose projection throws every time (an ArticlePublished
 * whose payload lacks most of the article). It is retried with backoff and then parked,
 * and meanwhile writes that have nothing to do with it answer promptly and read their own
 * writes — on an API that projects in process and on one whose worker claims the poison in
 * the same batches as those writes' events. The operator CLI (`npm run outbox`) lists it,
 * and requeues it after a fix.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('fault: a poison event', () => {
  /**
   * Attempts before parking. Retries come after 0.5, 1, 2, 4 and 8 s (±20 %): the poison is
   * retried for at least 12 s before it is parked — the stall a write would see if it
   * waited for everything before it.
   */
  const MAX_ATTEMPTS = 6;
  /** The worker-mode API's bound on waiting for its own events; a write stuck behind the poison would wait this long. */
  const READ_YOUR_WRITES_MS = 20_000;
  /**
   * Longest an unrelated write may take: below both the poison's retry budget and the
   * read-your-writes bound, yet 6 s — dozens of times a write's usual time on a loaded
   * 2-core machine — so noise cannot trip it.
   */
  const WRITE_BOUND_MS = 6_000;
  const processes = new Processes();
  let db: TestSqlDatabase;
  let base: Settings;
  let inline: ApiProcess;
  let viaWorker: ApiProcess;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    base = { DATABASE_URL: db.url as string, PROJECTOR_MAX_ATTEMPTS: String(MAX_ATTEMPTS) };
    const worker = { ...base, PROJECTOR: 'worker', READ_YOUR_WRITES_TIMEOUT_MS: String(READ_YOUR_WRITES_MS) };
    [inline, viaWorker] = await Promise.all([
      processes.api('inline-api', { ...base, PROJECTOR: 'inline' }),
      processes.api('worker-api', worker),
      processes.worker('worker', worker),
    ]);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await processes.stopAll();
    await db?.close();
  });

  /** The operator CLI, run from source like the processes. */
  const outboxCli = (...args: string[]): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/outbox.ts', ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          ...base,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (code) => resolve({ code, out }));
    });

  interface QueueRow {
    attempts: number;
    parked: boolean;
    last_error: string | null;
  }
  const poisonRow = async (position: number): Promise<QueueRow | undefined> =>
    (
      await db.db.query<QueueRow>(
        `select attempts, parked_at is not null as parked, last_error
           from outbox_pending where subscriber = 'projector' and position = $1`,
        [position],
      )
    )[0];

  interface ArticleBody {
    article: { slug: string; title: string; favorited: boolean; favoritesCount: number };
  }

  it('is retried, then parked, while unrelated writes answer promptly and read their own writes; the CLI lists and requeues it', async () => {
    const author = await register(inline.api, 'author');
    const [{ id: authorId } = { id: '' }] = await db.db.query<{ id: string }>(
      `select id::text as id from users where username = 'author'`,
    );

    // The poison: committed as a repository would (outbox row + a queue entry per subscriber).
    const poisonId = randomUUID();
    const [{ position } = { position: 0 }] = await db.db.query<{ position: number }>(
      `with appended as (
         insert into outbox (aggregate_type, aggregate_id, version, type, payload, occurred_at)
         values ('Article', $1, 1, 'ArticlePublished', $2::jsonb, now()) returning position)
       insert into outbox_pending (subscriber, position)
       select s.name, a.position from appended a cross join outbox_subscribers s
       returning position::int as position`,
      [
        poisonId,
        JSON.stringify({ articleId: poisonId, authorId, slug: `poison-${poisonId.slice(0, 8)}`, title: 'Poison' }),
      ],
    );
    await until(
      'the poison to fail its first attempt',
      async () => ((await poisonRow(position))?.attempts ?? 0) >= 1,
      30_000,
    );

    // Meanwhile, unrelated writes on both APIs: each answers promptly, and the next read sees it.
    const write = boundedWrites(WRITE_BOUND_MS);
    for (const api of [inline, viaWorker]) {
      const client = api.api;
      const reader = await register(client, `reader_${api.port}`);
      const created = await write(
        `${api.name}: create article`,
        () =>
          client.request<ArticleBody>('POST', '/articles', {
            token: author.token,
            body: { article: { title: `Unrelated on ${api.name}`, description: 'd', body: 'b', tagList: ['healthy'] } },
          }),
        201,
      );
      const slug = created.body.article.slug;
      const read = await client.get<ArticleBody>(`/articles/${slug}`);
      expect(read.status, `${api.name}: read own article`).toBe(200);
      expect(read.body.article.title).toBe(`Unrelated on ${api.name}`);

      await write(`${api.name}: favourite`, () =>
        client.request('POST', `/articles/${slug}/favorite`, { token: reader.token }),
      );
      expect((await client.get<ArticleBody>(`/articles/${slug}`, reader.token)).body.article).toMatchObject({
        favorited: true,
        favoritesCount: 1,
      });

      const comment = await write(`${api.name}: comment`, () =>
        client.request<{ comment: { id: number } }>('POST', `/articles/${slug}/comments`, {
          token: reader.token,
          body: { comment: { body: 'fine' } },
        }),
      );
      const comments = await client.get<{ comments: { id: number }[] }>(`/articles/${slug}/comments`);
      expect(comments.body.comments.map((c) => c.id)).toEqual([comment.body.comment.id]);

      await write(`${api.name}: follow`, () =>
        client.request('POST', '/profiles/author/follow', { token: reader.token }),
      );
      expect(
        (await client.get<{ profile: { following: boolean } }>('/profiles/author', reader.token)).body.profile
          .following,
      ).toBe(true);
    }
    // All of that happened while the poison was still being retried.
    const meanwhile = await poisonRow(position);
    expect(meanwhile).toMatchObject({ parked: false });
    expect(meanwhile?.last_error).toMatch(/TypeError/);

    await until('the poison to be parked', async () => (await poisonRow(position))?.parked === true, 90_000);
    expect(await poisonRow(position)).toMatchObject({ attempts: MAX_ATTEMPTS, parked: true });
    expect(
      await db.db.query(`select 1 from outbox_pending where subscriber = 'projector' and parked_at is null`),
    ).toEqual([]);

    const parked = await outboxCli('parked');
    expect(parked.code, parked.out).toBe(0);
    expect(parked.out).toContain(`#${position} ArticlePublished Article:${poisonId}@1 after ${MAX_ATTEMPTS} attempts`);
    expect(parked.out).toContain('TypeError');

    // The fix (here: the payload completed), then the requeue: the event is projected and leaves the queue.
    await db.db.query(`update outbox set payload = payload || $2::jsonb where position = $1`, [
      position,
      JSON.stringify({
        description: 'd',
        body: 'b',
        tagList: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      }),
    ]);
    const requeued = await outboxCli('requeue');
    expect(requeued.code, requeued.out).toBe(0);
    expect(requeued.out).toContain('requeued 1 parked event(s) of projector');
    await until('the requeued event to be projected', async () => (await poisonRow(position)) === undefined, 60_000);
    expect((await inline.api.get<ArticleBody>(`/articles/poison-${poisonId.slice(0, 8)}`)).body.article.title).toBe(
      'Poison',
    );
  }, 300_000);
});
