import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, type Answer, type User } from '../stack/support/api.js';
import { startEmulator, type EmulatorProcess } from '../support/mongo.js';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { inspectReadModels, projectorQueue } from './support/inspect.js';
import { boundedWrites, freePort, Processes, SETUP_TIMEOUT_MS, timed, until, type ApiProcess } from './support/processes.js';

/**
 * The MongoDB read store killed mid-run (SIGKILL), then restarted EMPTY on the same port —
 * what a MongoDB without persistent storage, or one restored from nothing, looks like.
 *
 * While it is down, reads answer 503 in the RealWorld format with Retry-After, within the
 * bounded MongoDB timeouts; writes need only PostgreSQL, so they commit and answer
 * correctly; readiness names the read store. When it comes back empty, the API notices
 * (its background loop checks the read store), prepares it again and replays the outbox
 * into it without anyone's help: readiness returns to 200 and the read models equal the
 * write model, including every write made during the outage.
 *
 * Its own emulator (even when MONGO_URL names a shared server): this test kills it.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('fault: MongoDB read store killed, restarted empty', () => {
  /** The bounded MongoDB wait (server selection, connect, socket) the API is started with. */
  const MONGO_TIMEOUT_MS = 1_000;
  /**
   * Longest a read may take to answer 503 while MongoDB is down: MONGO_TIMEOUT_MS, twice
   * when the driver retries once, plus 6 s for a loaded machine. Without the bounded
   * timeouts the driver waits 30 s for a server before it fails.
   */
  const OUTAGE_READ_BOUND_MS = 2 * MONGO_TIMEOUT_MS + 6_000;
  /**
   * Longest a write may take while MongoDB is down: it commits to PostgreSQL, then tries
   * to project its own events into the read store, which fails within the bounded timeouts
   * (once for the batch, once for the event alone); 8 s more for a loaded machine.
   */
  const OUTAGE_WRITE_BOUND_MS = 4 * MONGO_TIMEOUT_MS + 8_000;
  /**
   * Small, so that the outage outlasts the events' retry budget (0.5 s, then 1 s): an
   * outage of the store is not a failing event, and must not park the events written
   * during it. (At the default of 8 attempts the budget is about a minute.)
   */
  const MAX_ATTEMPTS = 3;
  const processes = new Processes();
  let db: TestSqlDatabase;
  let mongo: EmulatorProcess;
  let settings: Record<string, string>;
  let api: ApiProcess;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    mongo = await startEmulator();
    settings = {
      DATABASE_URL: db.url as string,
      MONGO_URL: `mongodb://127.0.0.1:${mongo.port}/conduit_test_faults_${randomBytes(4).toString('hex')}`,
      MONGO_TIMEOUT_MS: String(MONGO_TIMEOUT_MS),
      MONGO_SOCKET_TIMEOUT_MS: String(MONGO_TIMEOUT_MS),
      PROJECTOR_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    };
    api = await processes.api('api', settings);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await processes.stopAll();
    await mongo?.stop('SIGKILL');
    await db?.close();
  });

  interface ArticleBody {
    article: { slug: string; title: string; favorited: boolean; favoritesCount: number; author: { username: string } };
  }
  interface ErrorBody {
    errors: Record<string, string[]>;
  }

  const expectUnavailable = (answer: Answer, what: string) => {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(503);
    const body = answer.body as ErrorBody;
    expect(Object.values(body.errors).flat().length, what).toBeGreaterThan(0);
    expect(
      Object.values(body.errors)
        .flat()
        .every((message) => typeof message === 'string'),
      what,
    ).toBe(true);
    expect(answer.headers.get('retry-after'), what).toMatch(/^\d+$/);
  };

  it('reads answer 503 fast while it is down, writes still commit; it is detected and refilled when it comes back empty', async () => {
    const client = api.api;
    const alice = await register(client, 'alice');
    const bob = await register(client, 'bob');
    const first = await client.request<ArticleBody>('POST', '/articles', {
      token: alice.token,
      body: { article: { title: 'Before the outage', description: 'd', body: 'b', tagList: ['mongo'] } },
    });
    expect(first.status).toBe(201);
    const firstSlug = first.body.article.slug;
    expect((await client.request('POST', `/articles/${firstSlug}/favorite`, { token: bob.token })).status).toBe(200);
    expect((await client.get<{ articlesCount: number }>('/articles')).body.articlesCount).toBe(1);
    expect((await api.readiness()).status).toBe(200);

    await mongo.stop('SIGKILL');

    for (const [path, user] of [
      ['/articles', undefined],
      [`/articles/${firstSlug}`, bob],
      [`/articles/${firstSlug}/comments`, undefined],
      ['/tags', undefined],
      ['/profiles/alice', bob],
      ['/user', alice],
      ['/articles/feed', bob],
    ] as const) {
      const { result, ms } = await timed(() => client.get(path, (user as User | undefined)?.token));
      expectUnavailable(result, `GET ${path}`);
      expect(ms, `GET ${path} took ${Math.round(ms)} ms`).toBeLessThan(OUTAGE_READ_BOUND_MS);
    }
    // Still ready (writes need only the database), and the read store named as the problem.
    const readiness = await api.readiness();
    expect(readiness.status).toBe(200);
    expect(readiness.state).toBe('degraded');
    expect(readiness.checks.database).toBe('ok');
    expect(readiness.checks['read-store']).not.toBe('ok');

    // Writes need only the write model: each commits and answers from what it wrote.
    const write = boundedWrites(OUTAGE_WRITE_BOUND_MS);
    const during = await write(
      'create article',
      () =>
        client.request<ArticleBody>('POST', '/articles', {
          token: alice.token,
          body: { article: { title: 'During the outage', description: 'd', body: 'b', tagList: ['outage'] } },
        }),
      201,
    );
    expect(during.body.article).toMatchObject({
      title: 'During the outage',
      favorited: false,
      favoritesCount: 0,
      author: { username: 'alice' },
    });
    const duringSlug = during.body.article.slug;
    const favourite = await write('favourite', () =>
      client.request<ArticleBody>('POST', `/articles/${duringSlug}/favorite`, { token: bob.token }),
    );
    expect(favourite.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    const comment = await write('comment', () =>
      client.request<{ comment: { id: number; body: string } }>('POST', `/articles/${duringSlug}/comments`, {
        token: bob.token,
        body: { comment: { body: 'written while MongoDB was down' } },
      }),
    );
    expect(comment.body.comment.body).toBe('written while MongoDB was down');
    const carol = await write(
      'register',
      () =>
        client.request<{ user: { username: string; token: string } }>('POST', '/users', {
          body: { user: { username: 'carol', email: 'carol@faults.test', password: 'password123' } },
        }),
      201,
    );
    expect(carol.body.user.username).toBe('carol');
    const carolToken = carol.body.user.token;
    const second = await write('favourite by the new user', () =>
      client.request<ArticleBody>('POST', `/articles/${firstSlug}/favorite`, { token: carolToken }),
    );
    expect(second.body.article).toMatchObject({ favorited: true, favoritesCount: 2 });
    const follow = await write('follow', () =>
      client.request<{ profile: { following: boolean } }>('POST', '/profiles/alice/follow', { token: carolToken }),
    );
    expect(follow.body.profile.following).toBe(true);
    const bio = await write('update user', () =>
      client.request<{ user: { bio: string } }>('PUT', '/user', {
        token: alice.token,
        body: { user: { bio: 'outlived it' } },
      }),
    );
    expect(bio.body.user.bio).toBe('outlived it');
    // Long enough for the retry budget of those writes' events to run out, had the outage counted against them.
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    // MongoDB comes back with nothing in it.
    mongo = await startEmulator(mongo.port);
    await until(
      'readiness to report the read store ok again',
      async () => (await api.readiness()).checks['read-store'] === 'ok',
      90_000,
      () => api.output(),
    );
    await until('every event to be projected', async () => (await projectorQueue(db.db)).pending === 0, 60_000);
    expect(await projectorQueue(db.db)).toEqual({ pending: 0, parked: 0 });

    expect((await client.get<{ articlesCount: number }>('/articles')).body.articlesCount).toBe(2);
    const firstNow = await client.get<ArticleBody>(`/articles/${firstSlug}`, carolToken);
    expect(firstNow.status).toBe(200);
    expect(firstNow.body.article).toMatchObject({ title: 'Before the outage', favorited: true, favoritesCount: 2 });
    const comments = await client.get<{ comments: { id: number; body: string }[] }>(`/articles/${duringSlug}/comments`);
    expect(comments.body.comments.map((c) => c.id)).toEqual([comment.body.comment.id]);
    expect(
      (await client.get<{ profile: { following: boolean; bio: string } }>('/profiles/alice', carolToken)).body.profile,
    ).toMatchObject({
      following: true,
      bio: 'outlived it',
    });
    const inspector = await inspectReadModels(db.db, settings);
    try {
      expect(await inspector.audit()).toEqual([]);
    } finally {
      await inspector.close();
    }
    expect(api.output()).toContain('the read store had lost its data');
  }, 300_000);

  it('starts while MongoDB is down: serves writes, answers reads 503, and fills the store once it answers', async () => {
    const port = await freePort();
    const later = { ...settings, MONGO_URL: `mongodb://127.0.0.1:${port}/conduit_test_faults_${randomBytes(4).toString('hex')}` };
    const started = await processes.api('api-before-mongo', later);
    const readiness = await started.readiness();
    expect(readiness.status).toBe(200);
    expect(readiness.state).toBe('degraded');
    expect(readiness.checks['read-store']).not.toBe('ok');
    const dave = await register(started.api, 'dave');
    expect(dave.token.length).toBeGreaterThan(0);
    expectUnavailable(await started.api.get('/articles'), 'GET /articles before MongoDB');

    const late = await startEmulator(port);
    try {
      await until(
        'the read store to be prepared and ok',
        async () => (await started.readiness()).checks['read-store'] === 'ok',
        90_000,
        () => started.output(),
      );
      await until('every event to be projected', async () => (await projectorQueue(db.db)).pending === 0, 60_000);
      const profile = await started.api.get<{ profile: { username: string } }>('/profiles/dave');
      expect(profile.status).toBe(200);
      expect(profile.body.profile.username).toBe('dave');
    } finally {
      await late.stop('SIGKILL');
    }
  }, 300_000);
});
