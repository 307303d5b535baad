import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { inspectReadModels, outboxSize, projectorQueue } from './support/inspect.js';
import { boundedWrites, Processes, SETUP_TIMEOUT_MS, until, type ApiProcess } from './support/processes.js';

/**
 * PROJECTOR=worker while no worker runs (stopped, crashed, not deployed yet): the read
 * models do not move, yet every write answers its correct status and a body built from
 * the write itself — the registered user's token works, the new article and comment come
 * back with their data, a favourite shows the new count — and none waits longer than the
 * read-your-writes timeout. Once a worker starts, the reads catch up with every write.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('fault: projector workers stopped', () => {
  /** How long a write waits for a worker before it answers anyway. */
  const READ_YOUR_WRITES_MS = 1_000;
  /**
   * Longest a write may take here: its wait for the absent worker plus 8 s for a loaded
   * 2-core machine (an answer normally takes tens of milliseconds beyond the wait). A write
   * that waited for the read model itself would never answer correctly at all.
   */
  const WRITE_BOUND_MS = READ_YOUR_WRITES_MS + 8_000;
  const processes = new Processes();
  let db: TestSqlDatabase;
  let settings: Record<string, string>;
  let api: ApiProcess;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    settings = {
      DATABASE_URL: db.url as string,
      PROJECTOR: 'worker',
      READ_YOUR_WRITES_TIMEOUT_MS: String(READ_YOUR_WRITES_MS),
    };
    api = await processes.api('api', settings);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await processes.stopAll();
    await db?.close();
  });

  const write = boundedWrites(WRITE_BOUND_MS);

  interface UserBody {
    user: { username: string; email: string; bio: string | null; image: string | null; token: string };
  }
  interface ArticleBody {
    article: {
      slug: string;
      title: string;
      description: string;
      body: string;
      tagList: string[];
      favorited: boolean;
      favoritesCount: number;
      author: { username: string; bio: string | null; following: boolean };
    };
  }
  interface CommentBody {
    comment: { id: number; body: string; author: { username: string } };
  }
  interface ProfileBody {
    profile: { username: string; bio: string | null; following: boolean };
  }

  it('answers every committed write from the write side; a worker started later brings the reads up to date', async () => {
    const client = api.api;
    const registered = await write(
      'register alice',
      () =>
        client.request<UserBody>('POST', '/users', {
          body: { user: { username: 'alice', email: 'alice@faults.test', password: 'password123' } },
        }),
      201,
    );
    expect(registered.body.user).toMatchObject({
      username: 'alice',
      email: 'alice@faults.test',
      bio: null,
      image: null,
    });
    const alice = registered.body.user.token;
    const bobAnswer = await write(
      'register bob',
      () =>
        client.request<UserBody>('POST', '/users', {
          body: { user: { username: 'bob', email: 'bob@faults.test', password: 'password123' } },
        }),
      201,
    );
    const bob = bobAnswer.body.user.token;

    // Nothing projects: the read models have not seen alice, so every answer below comes from the write side.
    expect((await client.get('/profiles/alice')).status).toBe(404);

    // Login writes nothing and waits for nothing.
    const eventsBefore = await outboxSize(db.db);
    const login = await client.request<UserBody>('POST', '/users/login', {
      body: { user: { email: 'alice@faults.test', password: 'password123' } },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ username: 'alice', email: 'alice@faults.test' });
    expect(await outboxSize(db.db)).toBe(eventsBefore);

    // The registration's token is usable at once: authentication asks the write model.
    const updated = await write('update user', () =>
      client.request<UserBody>('PUT', '/user', { token: alice, body: { user: { bio: 'writes first' } } }),
    );
    expect(updated.body.user).toMatchObject({ username: 'alice', bio: 'writes first', token: alice });

    const created = await write(
      'create article',
      () =>
        client.request<ArticleBody>('POST', '/articles', {
          token: alice,
          body: {
            article: {
              title: 'Stopped workers',
              description: 'what answers',
              body: 'the write side',
              tagList: ['faults', 'cqrs'],
            },
          },
        }),
      201,
    );
    expect(created.body.article).toMatchObject({
      title: 'Stopped workers',
      description: 'what answers',
      body: 'the write side',
      favorited: false,
      favoritesCount: 0,
      author: { username: 'alice', bio: 'writes first', following: false },
    });
    expect([...created.body.article.tagList].sort()).toEqual(['cqrs', 'faults']);

    const edited = await write('update article', () =>
      client.request<ArticleBody>('PUT', `/articles/${created.body.article.slug}`, {
        token: alice,
        body: { article: { title: 'Workers stopped', body: 'still the write side' } },
      }),
    );
    expect(edited.body.article).toMatchObject({
      title: 'Workers stopped',
      description: 'what answers',
      body: 'still the write side',
    });
    const slug = edited.body.article.slug;

    const comment = await write('add comment', () =>
      client.request<CommentBody>('POST', `/articles/${slug}/comments`, {
        token: bob,
        body: { comment: { body: 'seen at once' } },
      }),
    );
    expect(comment.body.comment).toMatchObject({ body: 'seen at once', author: { username: 'bob' } });
    expect(comment.body.comment.id).toEqual(expect.any(Number));

    const favourite = await write('favourite', () =>
      client.request<ArticleBody>('POST', `/articles/${slug}/favorite`, { token: bob }),
    );
    expect(favourite.body.article).toMatchObject({
      slug,
      title: 'Workers stopped',
      favorited: true,
      favoritesCount: 1,
    });
    const second = await write('second favourite', () =>
      client.request<ArticleBody>('POST', `/articles/${slug}/favorite`, { token: alice }),
    );
    expect(second.body.article).toMatchObject({ favorited: true, favoritesCount: 2 });

    const follow = await write('follow', () =>
      client.request<ProfileBody>('POST', '/profiles/alice/follow', { token: bob }),
    );
    expect(follow.body.profile).toEqual(
      expect.objectContaining({ username: 'alice', bio: 'writes first', following: true }),
    );

    // Still nothing projected: the answers above did not come from the read models.
    expect((await client.get(`/articles/${slug}`)).status).toBe(404);
    expect((await projectorQueue(db.db)).pending).toBe(await outboxSize(db.db));

    // A worker starts: the reads catch up with every write.
    await processes.worker('worker', settings);
    await until('the worker to project every write', async () => (await projectorQueue(db.db)).pending === 0);
    const article = await client.get<ArticleBody>(`/articles/${slug}`, bob);
    expect(article.status).toBe(200);
    expect(article.body.article).toMatchObject({
      title: 'Workers stopped',
      body: 'still the write side',
      favorited: true,
      favoritesCount: 2,
      author: { username: 'alice', bio: 'writes first', following: true },
    });
    const comments = await client.get<{ comments: { id: number; body: string }[] }>(`/articles/${slug}/comments`);
    expect(comments.body.comments).toEqual([
      expect.objectContaining({ id: comment.body.comment.id, body: 'seen at once' }),
    ]);
    expect((await client.get<UserBody>('/user', alice)).body.user).toMatchObject({ bio: 'writes first' });
    expect((await client.get<ProfileBody>('/profiles/alice', bob)).body.profile.following).toBe(true);

    // With the worker running, a write's next read sees it (the write waited for its own events).
    const unfavourite = await write('unfavourite', () =>
      client.request<ArticleBody>('DELETE', `/articles/${slug}/favorite`, { token: bob }),
    );
    expect(unfavourite.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    expect((await client.get<ArticleBody>(`/articles/${slug}`, bob)).body.article).toMatchObject({
      favorited: false,
      favoritesCount: 1,
    });

    const inspector = await inspectReadModels(db.db, settings);
    try {
      expect(await inspector.audit()).toEqual([]);
    } finally {
      await inspector.close();
    }
    expect(await projectorQueue(db.db)).toEqual({ pending: 0, parked: 0 });
  }, 300_000);
});
