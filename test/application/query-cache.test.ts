import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArticleReadStore } from '../../src/application/read-side/article.read-store.js';
import { CommentReadStore } from '../../src/application/read-side/comment.read-store.js';
import { RelationshipReadStore } from '../../src/application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../src/application/read-side/user.read-store.js';
import { startTestApp } from '../support/app.js';
import { PlainTextHasher, registered, type UseCasesUnderTest } from '../support/use-cases.js';

/**
 * The read-through cache as the API runs it, in process memory (one process serves and
 * projects here, whatever TEST_STACK names), with the read-store ports spied on to count
 * what reaches them.
 */
let uc: UseCasesUnderTest;
let jake: string;
let celeb: string;
let stores: {
  articles: ArticleReadStore;
  comments: CommentReadStore;
  users: UserReadStore;
  relationships: RelationshipReadStore;
};

beforeEach(async () => {
  const test = await startTestApp({ cache: 'on' }, { passwordHasher: new PlainTextHasher() });
  uc = { ...test, useCases: test.application.useCases };
  expect(uc.application.composition.bindings.Cache).toBe('memory');
  const { container } = uc.application.composition;
  stores = {
    articles: container.get<ArticleReadStore>(ArticleReadStore),
    comments: container.get<CommentReadStore>(CommentReadStore),
    users: container.get<UserReadStore>(UserReadStore),
    relationships: container.get<RelationshipReadStore>(RelationshipReadStore),
  };
  jake = await registered(uc, 'jake');
  celeb = await registered(uc, 'celeb');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await uc.close();
});

const dragon = { title: 'How to train your dragon', description: 'Ever wonder how?', body: 'Very carefully.', tagList: ['dragons'] };
const publish = async (title = dragon.title, tagList = dragon.tagList) =>
  (await uc.useCases.createArticle.execute({ authorId: jake, ...dragon, title, tagList })).unwrap().slug;
const article = async (slug: string, viewerId?: string) => (await uc.useCases.getArticle.execute({ slug, viewerId })).unwrap();
const list = async (filter: { tag?: string; author?: string; favorited?: string } = {}, viewerId?: string) =>
  (await uc.useCases.listArticles.execute({ ...filter, viewerId, limit: 20, offset: 0 })).unwrap();
/** Reads until the key's entry is stored: a key never seen is stored on its second miss (its first stores the tags to read). */
const warm = async (read: () => Promise<unknown>) => {
  await read();
  await read();
};

describe('reads through the cache', () => {
  it('serves a cached article without the read store, to every viewer with their own fields', async () => {
    const slug = await publish();
    await uc.useCases.setFavorite.execute({ userId: celeb, slug, favorited: true });
    await uc.useCases.setFollowing.execute({ followerId: celeb, username: 'jake', following: true });
    await warm(() => article(slug));
    const findBySlug = vi.spyOn(stores.articles, 'findBySlug');
    const favoritedAmong = vi.spyOn(stores.relationships, 'favoritedAmong');
    const followedAmong = vi.spyOn(stores.relationships, 'followedAmong');

    expect(await article(slug)).toMatchObject({ favorited: false, favoritesCount: 1, author: { following: false } });
    expect(await article(slug, celeb)).toMatchObject({ favorited: true, favoritesCount: 1, author: { following: true } });
    expect(await article(slug, jake)).toMatchObject({ favorited: false, favoritesCount: 1, author: { following: false } });
    expect(findBySlug).not.toHaveBeenCalled();
    // One batched look-up per relationship for each signed-in viewer, none for the anonymous one.
    expect(favoritedAmong).toHaveBeenCalledTimes(2);
    expect(followedAmong).toHaveBeenCalledTimes(2);
  });

  it('lays the viewer over one cached page: a page read by one viewer shows nothing of theirs to another', async () => {
    const slug = await publish();
    await uc.useCases.setFavorite.execute({ userId: celeb, slug, favorited: true });
    await warm(() => list({}, celeb));
    const listStore = vi.spyOn(stores.articles, 'list');
    expect((await list({}, celeb)).articles[0]).toMatchObject({ favorited: true });
    expect((await list()).articles[0]).toMatchObject({ favorited: false, favoritesCount: 1 });
    expect((await list({}, jake)).articles[0]).toMatchObject({ favorited: false });
    expect(listStore).not.toHaveBeenCalled();
  });

  it('makes one read-store query for concurrent misses of one key, whether never seen or invalidated', async () => {
    const slug = await publish();
    const findBySlug = vi.spyOn(stores.articles, 'findBySlug');
    const cold = await Promise.all(Array.from({ length: 25 }, (_, i) => article(slug, i % 2 ? celeb : undefined)));
    expect(cold.every((a) => a.slug === slug)).toBe(true);
    expect(findBySlug).toHaveBeenCalledTimes(1);

    await article(slug); // stores the entry (the first fill only learnt its tags)
    findBySlug.mockClear();
    await uc.useCases.setFavorite.execute({ userId: celeb, slug, favorited: true });
    const invalidated = await Promise.all(Array.from({ length: 25 }, () => article(slug)));
    expect(invalidated.map((a) => a.favoritesCount)).toEqual(Array(25).fill(1));
    expect(findBySlug).toHaveBeenCalledTimes(1);

    const tags = vi.spyOn(stores.articles, 'tags');
    await Promise.all(Array.from({ length: 10 }, () => uc.useCases.getTags.execute({})));
    expect(tags).toHaveBeenCalledTimes(1);
  });
});

describe('invalidation by the projector', () => {
  it('a rename reaches every cached article, list, comment and profile that embeds the author', async () => {
    const slug = await publish();
    await uc.useCases.addComment.execute({ authorId: jake, slug, body: 'mine' });
    const reads = {
      article: async () => (await article(slug)).author.username,
      list: async () => (await list()).articles[0]?.author.username,
      byAuthor: async () => (await list({ author: 'jake' })).articlesCount,
      byNewName: async () => (await list({ author: 'jacob' })).articlesCount,
      comments: async () => (await uc.useCases.listComments.execute({ slug })).unwrap()[0]?.author.username,
      profile: async () => (await uc.useCases.getProfile.execute({ username: 'jake' })).isOk(),
      newProfile: async () => (await uc.useCases.getProfile.execute({ username: 'jacob' })).isOk(),
    };
    const readAll = async () => Object.fromEntries(await Promise.all(Object.entries(reads).map(async ([k, read]) => [k, await read()])));
    await readAll();
    expect(await readAll()).toEqual({ article: 'jake', list: 'jake', byAuthor: 1, byNewName: 0, comments: 'jake', profile: true, newProfile: false });

    await uc.useCases.updateUser.execute({ userId: jake, username: 'jacob' });
    expect(await readAll()).toEqual({ article: 'jacob', list: 'jacob', byAuthor: 0, byNewName: 1, comments: 'jacob', profile: false, newProfile: true });
  });

  it("a favourite changes the article's count everywhere it is cached", async () => {
    const slug = await publish();
    const counts = async () => ({
      article: (await article(slug)).favoritesCount,
      list: (await list()).articles[0]?.favoritesCount,
      byTag: (await list({ tag: 'dragons' })).articles[0]?.favoritesCount,
      favoritedByCeleb: (await list({ favorited: 'celeb' })).articlesCount,
    });
    await counts();
    expect(await counts()).toEqual({ article: 0, list: 0, byTag: 0, favoritedByCeleb: 0 });
    await uc.useCases.setFavorite.execute({ userId: celeb, slug, favorited: true });
    expect(await counts()).toEqual({ article: 1, list: 1, byTag: 1, favoritedByCeleb: 1 });
    await uc.useCases.setFavorite.execute({ userId: celeb, slug, favorited: false });
    expect(await counts()).toEqual({ article: 0, list: 0, byTag: 0, favoritedByCeleb: 0 });
  });

  it('new, edited and deleted articles reach the lists, the tags and their slugs', async () => {
    const first = await publish('First', ['alpha']);
    const snapshot = async (slug: string) => ({
      slugs: (await list()).articles.map((a) => a.slug),
      tags: (await uc.useCases.getTags.execute({})).unwrap(),
      found: (await uc.useCases.getArticle.execute({ slug })).isOk(),
      comments: (await uc.useCases.listComments.execute({ slug })).isOk(),
    });
    await snapshot('second');
    expect(await snapshot('second')).toEqual({ slugs: [first], tags: ['alpha'], found: false, comments: false });

    const second = await publish('Second', ['beta']);
    expect(second).toBe('second');
    expect(await snapshot(second)).toEqual({ slugs: [second, first], tags: ['alpha', 'beta'], found: true, comments: true });

    const renamed = (await uc.useCases.updateArticle.execute({ actorId: jake, slug: second, title: 'Third', tagList: ['gamma'] })).unwrap();
    expect((await uc.useCases.getArticle.execute({ slug: second })).isOk()).toBe(false);
    expect(await snapshot(renamed.slug)).toEqual({ slugs: [renamed.slug, first], tags: ['alpha', 'gamma'], found: true, comments: true });

    await uc.useCases.deleteArticle.execute({ actorId: jake, slug: renamed.slug });
    expect(await snapshot(renamed.slug)).toEqual({ slugs: [first], tags: ['alpha'], found: false, comments: false });
  });

  it('added and deleted comments reach the cached comment list', async () => {
    const slug = await publish();
    const bodies = async () => (await uc.useCases.listComments.execute({ slug })).unwrap().map((c) => c.body);
    await bodies();
    expect(await bodies()).toEqual([]);
    const added = (await uc.useCases.addComment.execute({ authorId: celeb, slug, body: 'nice' })).unwrap();
    expect(await bodies()).toEqual(['nice']);
    await uc.useCases.deleteComment.execute({ actorId: celeb, slug, commentId: added.id });
    expect(await bodies()).toEqual([]);
  });

  it('a follow changes only the follower’s view, which is never cached', async () => {
    const slug = await publish();
    await warm(() => article(slug, celeb));
    await uc.useCases.setFollowing.execute({ followerId: celeb, username: 'jake', following: true });
    expect((await article(slug, celeb)).author.following).toBe(true);
    expect((await article(slug)).author.following).toBe(false);
    expect((await uc.useCases.getProfile.execute({ username: 'jake', viewerId: celeb })).unwrap().following).toBe(true);
  });
});
