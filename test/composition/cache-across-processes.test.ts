import { describe, expect, it, vi } from 'vitest';
import { twoReplicasOnRedis } from '../support/two-replicas.js';
import { PlainTextHasher } from '../support/use-cases.js';

/**
 * Two API processes' compositions on one PostgreSQL database and one Redis, each projecting
 * its own writes (as replicas with PROJECTOR=inline do): every write through A is read
 * through B at once, from B's cache or around it, never stale. B keeps reading the same
 * keys between the writes, so its cache (Redis and its first tier) holds entries the
 * writes must invalidate. Needs TEST_DATABASE_URL.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the Redis cache shared by two processes', () => {
  const replicas = twoReplicasOnRedis('replicas', new PlainTextHasher());

  it('reads every write through the other process at once', { timeout: 120_000 }, async () => {
    const { a, b } = replicas;
    expect(b.composition.bindings.Cache).toBe('memory+redis');
    const register = async (name: string) =>
      (await a.useCases.registerUser.execute({ username: name, email: `${name}@x.test`, password: 'password123' })).unwrap().userId;
    const author = await register('author');
    const fan = await register('fan');
    const slug = (
      await a.useCases.createArticle.execute({ authorId: author, title: 'Shared', description: 'd', body: 'b', tagList: ['t'] })
    ).unwrap().slug;
    const readB = async () => {
      const article = (await b.useCases.getArticle.execute({ slug })).unwrap();
      const fanView = (await b.useCases.getArticle.execute({ slug, viewerId: fan })).unwrap();
      const page = (await b.useCases.listArticles.execute({ limit: 20, offset: 0 })).unwrap();
      const comments = (await b.useCases.listComments.execute({ slug })).unwrap();
      const tags = (await b.useCases.getTags.execute({})).unwrap();
      return { article, fanView, page, comments, tags };
    };
    await readB();
    await readB();

    let pairs = 0;
    for (let round = 1; round <= 8; round++) {
      const username = `author${round}`;
      await a.useCases.updateUser.execute({ userId: author, username, bio: `bio ${round}` });
      let seen = await readB();
      expect([seen.article.author.username, seen.page.articles[0]?.author.username]).toEqual([username, username]);
      expect((await b.useCases.getProfile.execute({ username })).unwrap().bio).toBe(`bio ${round}`);
      pairs++;

      await a.useCases.setFavorite.execute({ userId: fan, slug, favorited: true });
      seen = await readB();
      expect([seen.article.favoritesCount, seen.fanView.favorited, seen.article.favorited, seen.page.articles[0]?.favoritesCount]).toEqual([
        1,
        true,
        false,
        1,
      ]);
      pairs++;

      const comment = (await a.useCases.addComment.execute({ authorId: fan, slug, body: `c${round}` })).unwrap();
      seen = await readB();
      expect(seen.comments.map((c) => c.body)).toEqual([`c${round}`]);
      pairs++;

      await a.useCases.deleteComment.execute({ actorId: fan, slug, commentId: comment.id });
      await a.useCases.setFavorite.execute({ userId: fan, slug, favorited: false });
      seen = await readB();
      expect([seen.comments.length, seen.article.favoritesCount, seen.fanView.favorited]).toEqual([0, 0, false]);
      pairs++;

      const extra = (
        await a.useCases.createArticle.execute({ authorId: author, title: `Extra ${round}`, description: 'd', body: 'b', tagList: [`x${round}`] })
      ).unwrap().slug;
      seen = await readB();
      expect([seen.page.articlesCount, seen.tags.includes(`x${round}`)]).toEqual([2, true]);
      await a.useCases.deleteArticle.execute({ actorId: author, slug: extra });
      seen = await readB();
      expect([seen.page.articlesCount, seen.tags.includes(`x${round}`), (await b.useCases.getArticle.execute({ slug: extra })).isOk()]).toEqual([
        1,
        false,
        false,
      ]);
      pairs += 2;
    }
    expect(pairs).toBe(48);
  });

  it('lets readers who may lag (anonymous HTTP) of the other process see a write within a second, its writer at once', { timeout: 60_000 }, async () => {
    const { a, b } = replicas;
    const writer = (await a.useCases.registerUser.execute({ username: 'lagwriter', email: 'lagwriter@x.test', password: 'password123' })).unwrap()
      .userId;
    const slug = (
      await a.useCases.createArticle.execute({ authorId: writer, title: 'Lagging', description: 'd0', body: 'b', tagList: [] })
    ).unwrap().slug;
    const anonymousOn = async (app: typeof a) => (await app.useCases.getArticle.execute({ slug, mayLag: true })).unwrap().description;
    const pageOn = async (app: typeof a) =>
      (await app.useCases.listArticles.execute({ limit: 20, offset: 0, mayLag: true })).unwrap().articles.find((x) => x.slug === slug)
        ?.description;
    const writerOnB = async () => (await b.useCases.getArticle.execute({ slug, viewerId: writer })).unwrap().description;
    for (let i = 0; i < 3; i++) await Promise.all([anonymousOn(a), anonymousOn(b), pageOn(b), writerOnB()]);

    for (let round = 1; round <= 3; round++) {
      await a.useCases.updateArticle.execute({ actorId: writer, slug, description: `d${round}` });
      const answered = performance.now();
      // The writer, signed in, reads through the other replica at once; so does anyone through the writer's.
      expect(await writerOnB()).toBe(`d${round}`);
      expect(await anonymousOn(a)).toBe(`d${round}`);
      // Everyone else through the other replica within the recent window (500 ms by default).
      await vi.waitFor(async () => expect([await anonymousOn(b), await pageOn(b)]).toEqual([`d${round}`, `d${round}`]), {
        timeout: 5_000,
        interval: 25,
      });
      expect(performance.now() - answered).toBeLessThan(1_000);
    }
  });
});
