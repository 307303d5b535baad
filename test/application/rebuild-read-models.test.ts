import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActiveGeneration, ensureActiveGeneration } from '../../src/application/read-side/active-generation.js';
import type { EventOutbox } from '../../src/application/read-side/event-outbox.js';
import { changeOf, type ReadModelChange } from '../../src/application/read-side/read-model-changes.js';
import { GENERATION_TTL_MS } from '../../src/application/read-side/read-model-generations.js';
import type { RebuildProgress, RebuildStep } from '../../src/application/read-side/rebuild-options.js';
import { RebuildIncomplete, RebuildReadModelsHandler } from '../../src/application/read-side/rebuild-read-models.js';
import type { WriteModelSnapshot } from '../../src/application/read-side/write-model-snapshot.js';
import { InMemoryReadModelGenerations } from '../../src/adapters/memory/in-memory-read-model-generations.js';
import { aUser } from '../contract/read-store/read-store.fixtures.js';
import { ok, readModelAnswers, writeHistory } from '../support/read-model-answers.js';
import { openReadSide, type ReadSideKind, type ReadSideUnderTest } from '../support/read-side-under-test.js';
import { sqlKinds } from '../support/sql.js';

const PAGE = { limit: 100, offset: 0 };
/** Every reader is in this process and sees the swap at once: no need to wait out a TTL. */
const FAST = { graceMs: 0 };

/** A progress reporter that runs `hooks[step]` (writes, queries) each time the step advances. */
function hooked(hooks: Partial<Record<RebuildStep, (event: 'started' | 'advanced') => Promise<void>>>): RebuildProgress & {
  readonly steps: string[];
} {
  const steps: string[] = [];
  return {
    steps,
    started: async (step) => {
      steps.push(step);
      await hooks[step]?.('started');
    },
    advanced: async (step) => {
      await hooks[step]?.('advanced');
    },
    finished: () => undefined,
  };
}

describe.each(['memory', ...sqlKinds()] as ReadSideKind[])('rebuilding the read models on %s', (kind) => {
  let rs: ReadSideUnderTest;
  beforeAll(async () => {
    rs = await openReadSide(kind);
  });
  afterAll(async () => rs?.close());
  beforeEach(async () => rs.reset());

  /** A read model built by replaying the whole outbox into a generation of its own, then served. */
  async function servedFromScratch(): Promise<unknown> {
    await rs.store.prepare('zscratch');
    const writer = rs.store.writerFor('zscratch');
    for (let position = 0; ; ) {
      const entries = await rs.outbox.readAfter(position, 500);
      if (entries.length === 0) break;
      for (const entry of entries) await writer.apply([changeOf(entry.event)]);
      position = entries[entries.length - 1]!.position;
    }
    await rs.store.activate('zscratch', 0);
    rs.swapped();
    return readModelAnswers(rs.stores, rs.outbox);
  }

  it('produces read models equal to the incremental ones, every port answering the same', async () => {
    await writeHistory(rs);
    await rs.project();
    const before = await rs.store.activeGeneration();
    const incremental = await readModelAnswers(rs.stores, rs.outbox);

    const report = await rs.rebuild.execute({ ...FAST, batchSize: 3, concurrency: 3 });

    expect(report.previous).toBe(before);
    expect(report.generation).toMatch(/^g\d{17}(_\d+)?$/);
    expect(await rs.store.activeGeneration()).toBe(report.generation);
    expect(report.copied).toMatchObject({ users: 6, articles: 7, follows: 4, favorites: 3, comments: 2 });
    expect(await readModelAnswers(rs.stores, rs.outbox)).toEqual(incremental);
  });

  it('keeps serving the old generation until the swap: queries during the copy see the old data', async () => {
    await writeHistory(rs);
    await rs.project();
    // Only in the old generation: proof of which generation answers.
    const ghost = aUser({ username: 'ghost' });
    await rs.stores.writer.upsertUser(ghost);
    const listed = await rs.stores.articles.list({}, PAGE);
    const seenDuring: string[] = [];
    const check = async () => {
      expect(await rs.stores.users.findById(ghost.id)).not.toBeNull();
      expect(await rs.stores.articles.list({}, PAGE)).toEqual(listed);
    };
    const progress = hooked({
      users: async () => check().then(() => void seenDuring.push('users')),
      articles: async () => check().then(() => void seenDuring.push('articles')),
      comments: async () => check().then(() => void seenDuring.push('comments')),
      'catch-up': async () => check().then(() => void seenDuring.push('catch-up')),
    });

    await rs.rebuild.execute({ ...FAST, batchSize: 2, progress });

    expect(seenDuring).toEqual(expect.arrayContaining(['users', 'articles', 'comments', 'catch-up']));
    expect(progress.steps).toEqual([
      'settle',
      'users',
      'articles',
      'follows',
      'favorites',
      'comments',
      'tombstones',
      'catch-up',
      'drain',
      'final-replay',
      'cleanup',
    ]);
    expect(await rs.stores.users.findById(ghost.id)).toBeNull();
    expect(await rs.stores.articles.list({}, PAGE)).toEqual(listed);
  });

  it('survives writes during the rebuild: events written mid-copy, before and after the swap end up in the new generation', async () => {
    const { users, slugs } = await writeHistory(rs);
    await rs.project();
    const [u0, u1, , u3] = users as [string, string, string, string];
    const c = rs.commands;
    let late = '';
    let newcomer = '';
    let afterSwap = '';
    const once = new Set<string>();
    const first = (name: string) => !once.has(name) && once.add(name) !== undefined;

    const progress = hooked({
      // Mid-copy of the users: a new user, a rename (copied users hold the old name), an article.
      users: async (event) => {
        if (event !== 'advanced' || !first('users')) return;
        newcomer = ok(await c.registerUser.execute({ username: 'newcomer', email: 'new@example.com', password: 'password123' })).userId;
        ok(await c.updateUser.execute({ userId: u0, username: 'renamed-mid-copy', bio: 'moved' }));
        ok(await c.createArticle.execute({ authorId: newcomer, title: 'Written mid copy', description: 'd', body: 'b', tagList: ['mid'] }));
        await rs.project();
      },
      // After the articles were copied: an article the copy has not seen, already favourited and
      // commented on when favourites and comments are copied (they arrive before their article).
      follows: async (event) => {
        if (event !== 'started') return;
        late = ok(await c.createArticle.execute({ authorId: u1, title: 'Late article', description: 'd', body: 'b' })).slug;
        ok(await c.setFavorite.execute({ userId: u3, slug: late, favorited: true }));
        ok(await c.addComment.execute({ authorId: newcomer, slug: late, body: 'Before its article!' }));
        ok(await c.deleteArticle.execute({ actorId: u1, slug: slugs[1] as string }));
        ok(await c.setFollowing.execute({ followerId: newcomer, username: 'renamed-mid-copy', following: true }));
        await rs.project();
      },
      // After P1 was read, before the swap: projected into the old generation only.
      'catch-up': async (event) => {
        if (event !== 'started') return;
        ok(await c.updateArticle.execute({ actorId: u1, slug: late, title: 'Late article, retitled' }));
        await rs.project();
      },
      // After the swap: the live projector writes the new generation directly.
      drain: async (event) => {
        if (event !== 'started') return;
        afterSwap = ok(await c.addComment.execute({ authorId: u3, slug: slugs[0] as string, body: 'After the swap' }))
          .id.toString();
        ok(await c.setFavorite.execute({ userId: u3, slug: slugs[0] as string, favorited: false }));
        await rs.project();
      },
    });

    const report = await rs.rebuild.execute({ ...FAST, batchSize: 2, concurrency: 2, progress });
    const rebuilt = await readModelAnswers(rs.stores, rs.outbox);

    expect(report.activatedAt).toBeGreaterThan(report.copiedFrom);
    const renamed = await rs.stores.users.findProfileByUsernameKey('renamed-mid-copy');
    expect(renamed?.id).toBe(u0);
    const retitled = await rs.stores.articles.findBySlug('late-article-retitled');
    expect(retitled).toMatchObject({ favoritesCount: 1, author: { id: u1 } });
    expect((await rs.stores.comments.listByArticle(retitled!.id)).map((x) => x.body)).toEqual(['Before its article!']);
    expect(await rs.stores.articles.findBySlug(slugs[1] as string)).toBeNull();
    expect((await rs.stores.comments.listByArticle(await articleIdOf(rs, slugs[0] as string))).map((x) => x.body)).toContain(
      'After the swap',
    );
    expect(afterSwap).not.toBe('');
    expect((await rs.stores.articles.list({ authorKey: 'renamed-mid-copy' }, PAGE)).items.map((a) => a.author.username))
      .toEqual(expect.arrayContaining(['renamed-mid-copy']));
    expect(await rs.stores.articles.tags()).toContain('mid');
    // And the whole read model is what replaying every event from the start gives.
    expect(await servedFromScratch()).toEqual(rebuilt);
  });

  it('keeps deletions from before the rebuild final: late events of a deleted article or comment change nothing', async () => {
    const { users, slugs, keptComment } = await writeHistory(rs);
    await rs.project();
    await rs.rebuild.execute(FAST);

    // Events still pending when the rebuild ran (a retry with backoff, a parked event put
    // back) are applied to the new generation afterwards, in any order.
    const events = (await rs.outbox.readAfter(0, 1000)).map((entry) => entry.event);
    const deletedArticle = events.find((e) => e.type === 'ArticleDeleted')!.aggregateId;
    const deletedComment = events.find((e) => e.type === 'CommentDeleted')!.aggregateId;
    const late = events.filter(
      (e) =>
        e.aggregateId === deletedArticle ||
        (e.type === 'CommentAdded' && (e.payload.articleId === deletedArticle || String(e.payload.commentId) === deletedComment)) ||
        (e.type === 'ArticleFavorited' && e.payload.articleId === deletedArticle),
    );
    expect(late.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ArticlePublished', 'ArticleFavorited', 'CommentAdded', 'ArticleDeleted']),
    );
    for (const event of late) await rs.stores.writer.port.apply([changeOf(event)]);

    expect(await rs.stores.articles.findBySlug(slugs[2] as string)).toBeNull();
    const firstArticle = await articleIdOf(rs, slugs[0] as string);
    const remaining = await rs.stores.comments.listByArticle(firstArticle);
    expect(remaining.map((x) => x.id)).not.toContain(Number(deletedComment));
    expect((await rs.stores.comments.listByArticle(deletedArticle)).length).toBe(0);
    expect((await rs.stores.relationships.favoritedAmong(users[4] as string, [deletedArticle])).size).toBe(0);
    expect(remaining.find((x) => x.id === keptComment)?.body).toBe('First!');
  });

  it('removes generations older than the previous one, keeping the previous one for a rollback', async () => {
    await writeHistory(rs);
    await rs.project();
    const first = await rs.store.activeGeneration();
    const one = await rs.rebuild.execute(FAST);
    const two = await rs.rebuild.execute(FAST);
    expect(two.previous).toBe(one.generation);
    expect(one.dropped).toEqual([]);
    expect(two.dropped).toEqual([first]);
    expect(await rs.store.listGenerations()).toEqual([one.generation, two.generation]);
    const three = await rs.rebuild.execute(FAST);
    expect(three.dropped).toEqual([one.generation]);
    expect(await rs.store.listGenerations()).toEqual([two.generation, three.generation]);

    // The kept one is a working rollback target.
    const incremental = await readModelAnswers(rs.stores, rs.outbox);
    await rs.store.activate(two.generation, three.activatedAt);
    rs.swapped();
    expect(await readModelAnswers(rs.stores, rs.outbox)).toEqual(incremental);
  });

  it('stops before the swap when aborted, dropping its generation and leaving the old one served', async () => {
    await writeHistory(rs);
    await rs.project();
    const before = await rs.store.activeGeneration();
    const generations = await rs.store.listGenerations();
    const abort = new AbortController();
    const progress = hooked({ articles: async () => abort.abort() });
    await expect(rs.rebuild.execute({ ...FAST, batchSize: 2, progress, signal: abort.signal })).rejects.toThrow(/aborted/);
    expect(await rs.store.activeGeneration()).toBe(before);
    expect(await rs.store.listGenerations()).toEqual(generations);
  });

  describe('the replay mark', () => {
    it('is cleared when a projector already serves the store', async () => {
      await writeHistory(rs);
      await rs.project();
      const report = await rs.rebuild.execute(FAST);
      expect(report.replayMarkKept).toBe(false);
      expect(await rs.store.replayFrom()).toBeNull();
    });

    it('is left at the swap position when no projector has served the store since its activation (a move)', async () => {
      await writeHistory(rs);
      // A store that was activated but never caught up by a projector, like a new MongoDB.
      const active = (await rs.store.activeGeneration()) as string;
      await rs.store.activate(active, 0);
      rs.swapped();
      const report = await rs.rebuild.execute(FAST);
      expect(report.replayMarkKept).toBe(true);
      expect(await rs.store.replayFrom()).toBe(report.activatedAt);
    });

    it('follows keepReplayMark when it is given', async () => {
      await writeHistory(rs);
      await rs.project();
      const kept = await rs.rebuild.execute({ ...FAST, keepReplayMark: true });
      expect(await rs.store.replayFrom()).toBe(kept.activatedAt);
      await rs.rebuild.execute({ ...FAST, keepReplayMark: false });
      expect(await rs.store.replayFrom()).toBeNull();
    });
  });

  // The handler's timing is the same whatever the store: measured once.
  it.runIf(kind === 'memory')('waits 2 × GENERATION_TTL_MS by default, for writes in flight and again after the swap', async () => {
    ok(await rs.commands.registerUser.execute({ username: 'solo', email: 'solo@example.com', password: 'password123' }));
    await rs.project();
    const started = Date.now();
    await rs.rebuild.execute();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * GENERATION_TTL_MS - 20);
    expect(await rs.stores.users.findProfileByUsernameKey('solo')).not.toBeNull();
  });
});

describe('a rebuild that cannot place everything', () => {
  it('fails before the swap, drops its generation and leaves the old one served', async () => {
    const store = new InMemoryReadModelGenerations();
    await ensureActiveGeneration(store);
    const author = aUser();
    const once = (changes: ReadModelChange[]): AsyncIterable<readonly ReadModelChange[]> => ({
      async *[Symbol.asyncIterator]() {
        if (changes.length > 0) yield changes;
      },
    });
    // A write model that (impossibly) holds a comment of an article that does not exist.
    const snapshot: WriteModelSnapshot = {
      counts: async () => ({ users: 1, articles: 0, follows: 0, favorites: 0, comments: 1 }),
      users: () =>
        once([{ kind: 'user', user: { userId: author.id, username: author.username, email: author.email, bio: null, image: null }, version: 1 }]),
      articles: () => once([]),
      follows: () => once([]),
      favorites: () => once([]),
      comments: () =>
        once([
          {
            kind: 'comment',
            comment: { commentId: 1, articleId: 'no-such-article', authorId: author.id, body: 'lost', createdAt: new Date().toISOString() },
          },
        ]),
    };
    const emptyOutbox = { lastPosition: async () => 0, readAfter: async () => [] } as unknown as EventOutbox;
    const rebuild = new RebuildReadModelsHandler(
      store,
      new ActiveGeneration(store),
      snapshot,
      emptyOutbox,
      { now: () => new Date() },
      { applied: async () => {}, replaced: async () => {} },
    );

    const failure = await rebuild.execute(FAST).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RebuildIncomplete);
    expect((failure as RebuildIncomplete).failures.map((f) => f.what)).toEqual(['comment 1']);
    expect((failure as RebuildIncomplete).activated).toBe(false);
    expect(await store.activeGeneration()).toBe('g1');
    expect(await store.listGenerations()).toEqual(['g1']);
  });
});

/** The id of the article a slug names, through the query port. */
async function articleIdOf(rs: ReadSideUnderTest, slug: string): Promise<string> {
  const article = await rs.stores.articles.findBySlug(slug);
  if (article === null) throw new Error(`no article ${slug}`);
  return article.id;
}
