import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registered, startUseCases, type UseCasesUnderTest } from '../support/use-cases.js';

let uc: UseCasesUnderTest;
let jake: string;
let celeb: string;
beforeEach(async () => {
  uc = await startUseCases();
  jake = await registered(uc, 'jake');
  celeb = await registered(uc, 'celeb');
});
afterEach(async () => uc.close());

const dragon = { title: 'How to train your dragon', description: 'Ever wonder how?', body: 'Very carefully.', tagList: ['training', 'dragons'] };
const create = async (authorId: string, fields: Partial<typeof dragon> = {}) =>
  (await uc.useCases.createArticle.execute({ authorId, ...dragon, ...fields })).unwrap().slug;

describe('commands answer from what they wrote', () => {
  it('create, edit and favourite answer the article as the writer now sees it', async () => {
    const created = (await uc.useCases.createArticle.execute({ authorId: jake, ...dragon })).unwrap();
    expect(created).toMatchObject({
      slug: 'how-to-train-your-dragon',
      tagList: ['dragons', 'training'],
      favorited: false,
      favoritesCount: 0,
      author: { username: 'jake', bio: null, image: null, following: false },
    });
    await uc.useCases.setFollowing.execute({ followerId: celeb, username: 'jake', following: true });
    const favourited = (await uc.useCases.setFavorite.execute({ userId: celeb, slug: created.slug, favorited: true })).unwrap();
    expect(favourited).toMatchObject({ favorited: true, favoritesCount: 1, author: { username: 'jake', following: true } });
    const again = (await uc.useCases.setFavorite.execute({ userId: celeb, slug: created.slug, favorited: true })).unwrap();
    expect(again).toMatchObject({ favorited: true, favoritesCount: 1 });
    const edited = (await uc.useCases.updateArticle.execute({ actorId: jake, slug: created.slug, body: 'New' })).unwrap();
    expect(edited).toMatchObject({ body: 'New', favorited: false, favoritesCount: 1, author: { following: false } });
    expect(edited.createdAt).toBe(created.createdAt);
    // The reader sees the same thing through the read side.
    expect((await uc.useCases.getArticle.execute({ slug: created.slug, viewerId: celeb })).unwrap()).toMatchObject({
      body: 'New',
      favorited: true,
      favoritesCount: 1,
    });
  });

  it('an article filter finds the tag however it is spelt, as it is written', async () => {
    await create(jake, { tagList: ['React'] });
    const listed = (await uc.useCases.listArticles.execute({ tag: ' REACT ', limit: 20, offset: 0 })).unwrap();
    expect(listed.articlesCount).toBe(1);
    expect(listed.articles[0]?.tagList).toEqual(['react']);
  });
});

describe('CreateArticle and GetArticle', () => {
  it('publishes with sorted tags and reads it back at once', async () => {
    const slug = await create(jake);
    expect(slug).toBe('how-to-train-your-dragon');
    const article = (await uc.useCases.getArticle.execute({ slug })).unwrap();
    expect(article).toMatchObject({
      slug,
      title: dragon.title,
      body: dragon.body,
      tagList: ['dragons', 'training'],
      favorited: false,
      favoritesCount: 0,
      author: { username: 'jake', following: false },
    });
    expect(article.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await uc.useCases.getTags.execute({})).toMatchObject({ value: expect.arrayContaining(['dragons', 'training']) });
  });

  it('gives a second article with the same title its own slug', async () => {
    const first = await create(jake);
    const second = await create(celeb);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^how-to-train-your-dragon-[0-9a-z]{6}$/);
  });

  it('concurrent articles with one title all get distinct slugs', async () => {
    const slugs = await Promise.all(Array.from({ length: 5 }, () => create(jake)));
    expect(new Set(slugs).size).toBe(5);
  });

  it('validates title, description, body and tags', async () => {
    const blank = await uc.useCases.createArticle.execute({ authorId: jake, ...dragon, title: '  ' });
    expect(blank.isErr() && blank.error.field).toBe('title');
    const tags = await uc.useCases.createArticle.execute({ authorId: jake, ...dragon, tagList: ['x'.repeat(41)] });
    expect(tags.isErr() && tags.error.field).toBe('tagList');
    const noTags = await uc.useCases.createArticle.execute({ authorId: jake, ...dragon, tagList: null });
    expect(noTags.isOk()).toBe(true);
  });

  it('answers not found for an unknown slug', async () => {
    const missing = await uc.useCases.getArticle.execute({ slug: 'nope' });
    expect(missing.isErr() && missing.error.kind).toBe('not-found');
  });
});

describe('UpdateArticle and DeleteArticle', () => {
  it('lets the author edit; a new title moves the slug', async () => {
    const slug = await create(jake);
    const updated = (await uc.useCases.updateArticle.execute({ actorId: jake, slug, title: 'Did you train your dragon?' })).unwrap();
    expect(updated.slug).toBe('did-you-train-your-dragon');
    expect((await uc.useCases.getArticle.execute({ slug })).isErr()).toBe(true);
    const article = (await uc.useCases.getArticle.execute({ slug: updated.slug })).unwrap();
    expect(article.body).toBe(dragon.body);
    expect(article.updatedAt >= article.createdAt).toBe(true);
  });

  it('refuses edits and deletes by anyone else', async () => {
    const slug = await create(jake);
    const edit = await uc.useCases.updateArticle.execute({ actorId: celeb, slug, body: 'mine' });
    expect(edit.isErr() && edit.error.kind).toBe('forbidden');
    const del = await uc.useCases.deleteArticle.execute({ actorId: celeb, slug });
    expect(del.isErr() && del.error.kind).toBe('forbidden');
    expect((await uc.useCases.getArticle.execute({ slug })).unwrap().body).toBe(dragon.body);
  });

  it('answers who may edit before what they sent: 403 for a stranger’s invalid edit, 404 for a missing article', async () => {
    const slug = await create(jake);
    const stranger = await uc.useCases.updateArticle.execute({ actorId: celeb, slug, title: '   ' });
    expect(stranger.isErr() && stranger.error.kind).toBe('forbidden');
    const missing = await uc.useCases.updateArticle.execute({ actorId: jake, slug: 'nope', title: '   ' });
    expect(missing.isErr() && missing.error.kind).toBe('not-found');
    const blankComment = await uc.useCases.addComment.execute({ authorId: jake, slug: 'nope', body: ' ' });
    expect(blankComment.isErr() && blankComment.error.kind).toBe('not-found');
  });

  it('concurrent renames of one article: each lands or finds the slug already moved, never a conflict', async () => {
    const slug = await create(jake);
    const titles = ['One', 'Two', 'Three'];
    const results = await Promise.all(
      titles.map((title) => uc.useCases.updateArticle.execute({ actorId: jake, slug, title })),
    );
    // A request that starts after another rename committed addresses a slug that is gone.
    const failures = results.filter((r) => r.isErr()).map((r) => r.isErr() && r.error.code);
    expect(failures.every((code) => code === 'ARTICLE.NOT_FOUND')).toBe(true);
    const landed = results.flatMap((r, i) => (r.isOk() ? [titles[i]!.toLowerCase()] : []));
    expect(landed.length).toBeGreaterThan(0);
    const { articles } = (await uc.useCases.listArticles.execute({ limit: 20, offset: 0 })).unwrap();
    expect(articles).toHaveLength(1);
    expect(landed).toContain(articles[0]?.slug);
  });

  it('concurrent edits of different fields both land', async () => {
    const slug = await create(jake);
    await Promise.all([
      uc.useCases.updateArticle.execute({ actorId: jake, slug, body: 'new body' }),
      uc.useCases.updateArticle.execute({ actorId: jake, slug, description: 'new description' }),
    ]);
    expect((await uc.useCases.getArticle.execute({ slug })).unwrap()).toMatchObject({ body: 'new body', description: 'new description' });
  });

  it('deletes with its comments, favourites and tags', async () => {
    const slug = await create(jake, { tagList: ['unique-tag'] });
    await uc.useCases.addComment.execute({ authorId: celeb, slug, body: 'nice' });
    await uc.useCases.setFavorite.execute({ userId: celeb, slug, favorited: true });
    expect((await uc.useCases.deleteArticle.execute({ actorId: jake, slug })).isOk()).toBe(true);
    expect((await uc.useCases.getArticle.execute({ slug })).isErr()).toBe(true);
    expect((await uc.useCases.listArticles.execute({ favorited: 'celeb', limit: 20, offset: 0 })).unwrap().articlesCount).toBe(0);
    expect((await uc.useCases.getTags.execute({})).unwrap()).not.toContain('unique-tag');
    const again = await uc.useCases.deleteArticle.execute({ actorId: jake, slug });
    expect(again.isErr() && again.error.kind).toBe('not-found');
  });
});

describe('ListArticles and GetFeed', () => {
  it('lists newest first, paginates, filters and counts all matches', async () => {
    const a = await create(jake, { title: 'A', tagList: ['x'] });
    const b = await create(celeb, { title: 'B', tagList: ['x', 'y'] });
    const c = await create(jake, { title: 'C', tagList: [] });
    const all = (await uc.useCases.listArticles.execute({ limit: 2, offset: 0 })).unwrap();
    expect(all.articlesCount).toBe(3);
    expect(all.articles.map((x) => x.slug)).toEqual([c, b]);
    expect('body' in (all.articles[0] ?? {})).toBe(false);
    const next = (await uc.useCases.listArticles.execute({ limit: 2, offset: 2 })).unwrap();
    expect(next.articles.map((x) => x.slug)).toEqual([a]);
    const byTag = (await uc.useCases.listArticles.execute({ tag: 'x', author: 'JAKE', limit: 20, offset: 0 })).unwrap();
    expect(byTag.articles.map((x) => x.slug)).toEqual([a]);
    const none = (await uc.useCases.listArticles.execute({ author: 'nobody', limit: 20, offset: 0 })).unwrap();
    expect(none).toEqual({ articles: [], articlesCount: 0 });
  });

  it('personalises favorited and following for the viewer', async () => {
    const slug = await create(celeb);
    await uc.useCases.setFavorite.execute({ userId: jake, slug, favorited: true });
    await uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: true });
    const [mine] = (await uc.useCases.listArticles.execute({ limit: 20, offset: 0, viewerId: jake })).unwrap().articles;
    expect(mine).toMatchObject({ favorited: true, favoritesCount: 1, author: { following: true } });
    const [anonymous] = (await uc.useCases.listArticles.execute({ limit: 20, offset: 0 })).unwrap().articles;
    expect(anonymous).toMatchObject({ favorited: false, favoritesCount: 1, author: { following: false } });
  });

  it('feeds the articles of followed authors only', async () => {
    await create(jake, { title: 'own' });
    const followed = await create(celeb, { title: 'followed' });
    expect((await uc.useCases.getFeed.execute({ viewerId: jake, limit: 20, offset: 0 })).unwrap().articlesCount).toBe(0);
    await uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: true });
    const feed = (await uc.useCases.getFeed.execute({ viewerId: jake, limit: 20, offset: 0 })).unwrap();
    expect(feed.articles.map((a) => a.slug)).toEqual([followed]);
  });
});

describe('favourites', () => {
  it('are idempotent and counted exactly under concurrency', async () => {
    const slug = await create(jake);
    const fans = await Promise.all(Array.from({ length: 8 }, (_, i) => registered(uc, `fan${i}`)));
    await Promise.all(fans.flatMap((userId) => [uc.useCases.setFavorite.execute({ userId, slug, favorited: true }), uc.useCases.setFavorite.execute({ userId, slug, favorited: true })]));
    expect((await uc.useCases.getArticle.execute({ slug })).unwrap().favoritesCount).toBe(8);
    await uc.useCases.setFavorite.execute({ userId: fans[0] as string, slug, favorited: false });
    await uc.useCases.setFavorite.execute({ userId: fans[0] as string, slug, favorited: false });
    expect((await uc.useCases.getArticle.execute({ slug, viewerId: fans[0] })).unwrap()).toMatchObject({ favoritesCount: 7, favorited: false });
  });

  it('of an unknown article are not found', async () => {
    const result = await uc.useCases.setFavorite.execute({ userId: jake, slug: 'nope', favorited: true });
    expect(result.isErr() && result.error.kind).toBe('not-found');
  });
});

describe('comments', () => {
  it('are added, listed oldest first and deleted by their author only', async () => {
    const slug = await create(jake);
    const comment = (await uc.useCases.addComment.execute({ authorId: celeb, slug, body: 'first' })).unwrap();
    const first = comment.id;
    const second = (await uc.useCases.addComment.execute({ authorId: jake, slug, body: 'second' })).unwrap().id;
    expect(second).toBeGreaterThan(first);
    expect(comment).toMatchObject({ id: first, body: 'first', author: { username: 'celeb', following: false } });
    expect(comment.createdAt).toBe(comment.updatedAt);
    expect((await uc.useCases.listComments.execute({ slug })).unwrap().map((c) => c.body)).toEqual(['first', 'second']);

    const refused = await uc.useCases.deleteComment.execute({ actorId: jake, slug, commentId: first });
    expect(refused.isErr() && refused.error.kind).toBe('forbidden');
    expect((await uc.useCases.deleteComment.execute({ actorId: celeb, slug, commentId: first })).isOk()).toBe(true);
    expect((await uc.useCases.listComments.execute({ slug })).unwrap().map((c) => c.body)).toEqual(['second']);
  });

  it('are not found under another article, nor on unknown articles', async () => {
    const one = await create(jake, { title: 'one' });
    const two = await create(jake, { title: 'two' });
    const { id: commentId } = (await uc.useCases.addComment.execute({ authorId: jake, slug: one, body: 'hi' })).unwrap();
    const elsewhere = await uc.useCases.deleteComment.execute({ actorId: jake, slug: two, commentId });
    expect(elsewhere.isErr() && elsewhere.error.code).toBe('COMMENT.NOT_FOUND');
    const noArticle = await uc.useCases.addComment.execute({ authorId: jake, slug: 'nope', body: 'hi' });
    expect(noArticle.isErr() && noArticle.error.code).toBe('ARTICLE.NOT_FOUND');
    const blank = await uc.useCases.addComment.execute({ authorId: jake, slug: one, body: ' ' });
    expect(blank.isErr() && blank.error.field).toBe('body');
    expect((await uc.useCases.listComments.execute({ slug: 'nope' })).isErr()).toBe(true);
  });
});
