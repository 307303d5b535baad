import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type Registered } from './support/client.js';

describe('articles API (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  const articleShape = (author: Registered) => ({
    slug: expect.any(String),
    title: expect.any(String),
    description: expect.any(String),
    body: expect.any(String),
    tagList: expect.any(Array),
    createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    favorited: false,
    favoritesCount: 0,
    author: { username: author.username, bio: null, image: null, following: false },
  });

  describe('POST /articles', () => {
    it('creates: 201 with the article, its slug from the title and its tags sorted', async () => {
      const author = await api.register('author');
      const res = await api.request('POST', '/articles', {
        token: author.token,
        body: {
          article: {
            title: 'How to train your dragon',
            description: 'Ever wonder how?',
            body: 'Very carefully.',
            tagList: ['training', 'dragons'],
          },
        },
      });
      expect(res.statusCode).toBe(201);
      const { article } = res.json();
      expect(article).toEqual(articleShape(author));
      expect(article).toMatchObject({
        slug: 'how-to-train-your-dragon',
        title: 'How to train your dragon',
        body: 'Very carefully.',
        tagList: ['dragons', 'training'],
      });
    });

    it('gives a second article with the same title a different slug', async () => {
      const author = await api.register('author');
      const first = await api.createArticle(author, { title: 'Same title' });
      const second = await api.createArticle(author, { title: 'Same title' });
      expect(first.slug).toBe('same-title');
      expect(second.slug).not.toBe(first.slug);
      expect(second.slug).toMatch(/^same-title-/);
    });

    it('creates without tags (absent or null)', async () => {
      const author = await api.register('author');
      expect((await api.createArticle(author)).tagList).toEqual([]);
      const res = await api.request('POST', '/articles', {
        token: author.token,
        body: { article: { title: 'Null tags', description: 'd', body: 'b', tagList: null } },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().article.tagList).toEqual([]);
    });

    it.each([
      [{ title: '', description: 'd', body: 'b' }, 'title'],
      [{ title: '   ', description: 'd', body: 'b' }, 'title'],
      [{ title: 't', description: 'd' }, 'body'],
      [{ title: 123, description: 'd', body: 'b' }, 'title'],
      [{ title: 't', description: 'd', body: 'b', tagList: [1] }, 'tagList'],
      [{ title: 't', description: 'd', body: 'b', tagList: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tagList'],
    ])('refuses %j with 422 on %s', async (article, field) => {
      const author = await api.register('author');
      const res = await api.request('POST', '/articles', { token: author.token, body: { article } });
      expect(res.statusCode).toBe(422);
      expect(Object.keys(res.json().errors)).toEqual([field]);
    });

    it('401 without a token', async () => {
      const res = await api.request('POST', '/articles', { body: { article: { title: 't', description: 'd', body: 'b' } } });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('GET /articles/:slug', () => {
    it('returns the article to anyone', async () => {
      const author = await api.register('author');
      const created = await api.createArticle(author, { title: 'Readable' });
      const res = await api.request('GET', `/articles/${created.slug}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().article).toEqual({ ...created });
    });

    it('404 for an unknown slug', async () => {
      const res = await api.request('GET', '/articles/no-such-article');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: { article: ['not found'] } });
    });
  });

  describe('PUT /articles/:slug', () => {
    it('updates given fields; a new title gives a new slug and the old one is gone', async () => {
      const author = await api.register('author');
      const created = await api.createArticle(author, { title: 'Old title', body: 'old body' });
      const bodyOnly = await api.request('PUT', `/articles/${created.slug}`, {
        token: author.token,
        body: { article: { body: 'With two hands' } },
      });
      expect(bodyOnly.statusCode).toBe(200);
      expect(bodyOnly.json().article).toMatchObject({ slug: 'old-title', title: 'Old title', body: 'With two hands' });

      const retitled = await api.request('PUT', `/articles/${created.slug}`, {
        token: author.token,
        body: { article: { title: 'Did you train your dragon?' } },
      });
      expect(retitled.statusCode).toBe(200);
      expect(retitled.json().article).toMatchObject({ slug: 'did-you-train-your-dragon', body: 'With two hands' });
      expect((await api.request('GET', '/articles/did-you-train-your-dragon')).statusCode).toBe(200);
      expect((await api.request('GET', `/articles/${created.slug}`)).statusCode).toBe(404);
    });

    it('403 for someone else, 401 without a token, 404 for an unknown slug, 422 for bad fields', async () => {
      const author = await api.register('author');
      const stranger = await api.register('stranger');
      const { slug } = await api.createArticle(author);
      const forbidden = await api.request('PUT', `/articles/${slug}`, { token: stranger.token, body: { article: { body: 'mine' } } });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toEqual({ errors: { article: ['only its author can change it'] } });
      expect((await api.request('PUT', `/articles/${slug}`, { body: { article: { body: 'x' } } })).statusCode).toBe(401);
      expect(
        (await api.request('PUT', '/articles/missing-one', { token: author.token, body: { article: { body: 'x' } } })).statusCode,
      ).toBe(404);
      const blank = await api.request('PUT', `/articles/${slug}`, { token: author.token, body: { article: { title: '' } } });
      expect(blank.statusCode).toBe(422);
      expect(Object.keys(blank.json().errors)).toEqual(['title']);
      expect((await api.request('GET', `/articles/${slug}`)).json().article.body).toBe('The text');
    });
  });

  describe('DELETE /articles/:slug', () => {
    it('deletes: 204 with no body, then 404', async () => {
      const author = await api.register('author');
      const { slug } = await api.createArticle(author);
      const res = await api.request('DELETE', `/articles/${slug}`, { token: author.token });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await api.request('GET', `/articles/${slug}`)).statusCode).toBe(404);
      expect((await api.request('DELETE', `/articles/${slug}`, { token: author.token })).statusCode).toBe(404);
    });

    it('403 for someone else and the article stays; 401 without a token', async () => {
      const author = await api.register('author');
      const stranger = await api.register('stranger');
      const { slug } = await api.createArticle(author);
      expect((await api.request('DELETE', `/articles/${slug}`, { token: stranger.token })).statusCode).toBe(403);
      expect((await api.request('DELETE', `/articles/${slug}`)).statusCode).toBe(401);
      expect((await api.request('GET', `/articles/${slug}`)).statusCode).toBe(200);
    });
  });

  describe('GET /articles and /articles/feed', () => {
    let alice: Registered;
    let bob: Registered;
    let reader: Registered;
    const tag = `tag${Date.now()}`;

    beforeAll(async () => {
      alice = await api.register('alice');
      bob = await api.register('bob');
      reader = await api.register('reader');
      for (let i = 1; i <= 3; i++) await api.createArticle(alice, { title: `Alice ${i}`, tagList: [tag] });
      for (let i = 1; i <= 2; i++) await api.createArticle(bob, { title: `Bob ${i}` });
    });

    it('lists newest first, without bodies, with an exact articlesCount', async () => {
      const res = await api.request('GET', `/articles?author=${alice.username}`);
      expect(res.statusCode).toBe(200);
      const { articles, articlesCount } = res.json();
      expect(articlesCount).toBe(3);
      expect(articles.map((a: { title: string }) => a.title)).toEqual(['Alice 3', 'Alice 2', 'Alice 1']);
      for (const article of articles) {
        expect(article).not.toHaveProperty('body');
        expect(article).toMatchObject({ favorited: false, favoritesCount: 0, author: { username: alice.username } });
      }
    });

    it('paginates with limit and offset, the count staying the total', async () => {
      const res = await api.request('GET', `/articles?author=${alice.username}&limit=1&offset=1`);
      const { articles, articlesCount } = res.json();
      expect(articlesCount).toBe(3);
      expect(articles.map((a: { title: string }) => a.title)).toEqual(['Alice 2']);
      const past = await api.request('GET', `/articles?author=${alice.username}&offset=10`);
      expect(past.json()).toEqual({ articles: [], articlesCount: 3 });
    });

    it('filters by tag and by favouriting user', async () => {
      const byTag = await api.request('GET', `/articles?tag=${tag}`);
      expect(byTag.json().articlesCount).toBe(3);
      expect(byTag.json().articles.every((a: { tagList: string[] }) => a.tagList.includes(tag))).toBe(true);

      const [bobs] = (await api.request('GET', `/articles?author=${bob.username}&limit=1`)).json().articles;
      await api.request('POST', `/articles/${bobs.slug}/favorite`, { token: reader.token });
      const favorited = await api.request('GET', `/articles?favorited=${reader.username}`, { token: reader.token });
      expect(favorited.json().articlesCount).toBe(1);
      expect(favorited.json().articles[0]).toMatchObject({ slug: bobs.slug, favorited: true, favoritesCount: 1 });
      const nobody = await api.request('GET', '/articles?author=nobody-writes-this');
      expect(nobody.json()).toEqual({ articles: [], articlesCount: 0 });
    });

    it('validates the page parameters', async () => {
      expect((await api.request('GET', '/articles?limit=abc')).statusCode).toBe(422);
      expect((await api.request('GET', '/articles?offset=-1')).statusCode).toBe(422);
    });

    it('feed: only followed authors, newest first, following: true; 401 anonymously', async () => {
      const follower = await api.register('follower');
      const empty = await api.request('GET', '/articles/feed', { token: follower.token });
      expect(empty.json()).toEqual({ articles: [], articlesCount: 0 });

      await api.request('POST', `/profiles/${alice.username}/follow`, { token: follower.token });
      const feed = await api.request('GET', '/articles/feed?limit=2', { token: follower.token });
      expect(feed.statusCode).toBe(200);
      const { articles, articlesCount } = feed.json();
      expect(articlesCount).toBe(3);
      expect(articles.map((a: { title: string }) => a.title)).toEqual(['Alice 3', 'Alice 2']);
      expect(articles.every((a: { author: { following: boolean } }) => a.author.following)).toBe(true);
      expect(articles[0]).not.toHaveProperty('body');

      expect((await api.request('GET', '/articles/feed')).statusCode).toBe(401);
    });
  });

  describe('favourites', () => {
    it('favourite and unfavourite: counts and flags, idempotent both ways', async () => {
      const author = await api.register('author');
      const fan = await api.register('fan');
      const other = await api.register('other');
      const { slug } = await api.createArticle(author);

      for (let i = 0; i < 2; i++) {
        const res = await api.request('POST', `/articles/${slug}/favorite`, { token: fan.token });
        expect(res.statusCode).toBe(200);
        expect(res.json().article).toMatchObject({ slug, favorited: true, favoritesCount: 1 });
      }
      const second = await api.request('POST', `/articles/${slug}/favorite`, { token: other.token });
      expect(second.json().article).toMatchObject({ favorited: true, favoritesCount: 2 });
      const seenByAuthor = await api.request('GET', `/articles/${slug}`, { token: author.token });
      expect(seenByAuthor.json().article).toMatchObject({ favorited: false, favoritesCount: 2 });

      for (let i = 0; i < 2; i++) {
        const res = await api.request('DELETE', `/articles/${slug}/favorite`, { token: fan.token });
        expect(res.statusCode).toBe(200);
        expect(res.json().article).toMatchObject({ favorited: false, favoritesCount: 1 });
      }
    });

    it('401 without a token, 404 for an unknown article', async () => {
      const fan = await api.register('fan');
      expect((await api.request('POST', '/articles/whatever/favorite')).statusCode).toBe(401);
      expect((await api.request('DELETE', '/articles/whatever/favorite')).statusCode).toBe(401);
      expect((await api.request('POST', '/articles/no-such-slug/favorite', { token: fan.token })).statusCode).toBe(404);
      expect((await api.request('DELETE', '/articles/no-such-slug/favorite', { token: fan.token })).statusCode).toBe(404);
    });
  });
});
