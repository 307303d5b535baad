import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApp, type FakeApp, USER_ID } from './support/fake-deps.js';

/** Edge validation: every body, path parameter and query string, before any handler runs. */
describe('HTTP validation', () => {
  let fake: FakeApp;
  afterEach(async () => {
    await fake?.app.close();
  });

  const auth = () => ({ authorization: `Token ${fake.token}` });

  describe('bodies (no coercion)', () => {
    it.each([
      ['number title', { article: { title: 123, description: 'd', body: 'b' } }, 'title', 'must be a string'],
      ['boolean body', { article: { title: 't', description: 'd', body: true } }, 'body', 'must be a string'],
      ['missing title', { article: { description: 'd', body: 'b' } }, 'title', "can't be blank"],
      ['missing wrapper', { title: 't', description: 'd', body: 'b' }, 'article', "can't be blank"],
      ['wrapper not an object', { article: 'x' }, 'article', 'must be an object'],
      ['tagList a string', { article: { title: 't', description: 'd', body: 'b', tagList: 'a,b' } }, 'tagList', 'must be an array or null'],
      ['tag not a string', { article: { title: 't', description: 'd', body: 'b', tagList: ['a', 3] } }, 'tagList', 'item 1 must be a string'],
      ['absurd title', { article: { title: 'x'.repeat(1001), description: 'd', body: 'b' } }, 'title', 'is too long (maximum is 1000 characters)'],
    ])('POST /articles with %s → 422 naming the field', async (_name, payload, field, message) => {
      fake = await startFakeApp({ options: { bodyLimit: 1024 * 1024 } });
      const res = await fake.app.inject({ method: 'POST', url: '/api/articles', headers: auth(), payload });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: { [field]: [message] } });
      expect(fake.useCases.createArticle.execute).not.toHaveBeenCalled();
    });

    it('refuses a JSON array or null as the body', async () => {
      fake = await startFakeApp();
      const array = await fake.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'content-type': 'application/json' },
        payload: '[]',
      });
      expect(array.statusCode).toBe(422);
      expect(array.json()).toEqual({ errors: { body: ['must be an object'] } });
      const nil = await fake.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'content-type': 'application/json' },
        payload: 'null',
      });
      expect(nil.statusCode).toBe(422);
      expect(nil.json()).toEqual({ errors: { user: ["can't be blank"] } });
    });

    it('accepts an absent or null tagList and passes only known fields to the command', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'POST',
        url: '/api/articles',
        headers: auth(),
        payload: { article: { title: 't', description: 'd', body: 'b', tagList: null, slug: 'mine', authorId: 'x' }, extra: 1 },
      });
      expect(res.statusCode).toBe(201);
      expect(fake.useCases.createArticle.execute).toHaveBeenCalledWith({
        authorId: USER_ID,
        title: 't',
        description: 'd',
        body: 'b',
        tagList: null,
      });
    });

    it.each([
      [{ user: { email: 'a@b.c', password: 'password' } }, 'username'],
      [{ user: { username: 'a', password: 'password' } }, 'email'],
      [{ user: { username: 'a', email: 'a@b.c' } }, 'password'],
      [{ user: { username: 'a', email: 'a@b.c', password: 12345678 } }, 'password'],
      [{ user: { username: ['a'], email: 'a@b.c', password: 'password' } }, 'username'],
    ])('POST /users %j → 422 on %s', async (payload, field) => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'POST', url: '/api/users', payload });
      expect(res.statusCode).toBe(422);
      expect(Object.keys(res.json().errors)).toEqual([field]);
    });

    it('PUT /user accepts null bio and image and passes absent fields as absent', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({
        method: 'PUT',
        url: '/api/user',
        headers: auth(),
        payload: { user: { bio: null, image: null, role: 'admin' } },
      });
      expect(res.statusCode).toBe(200);
      expect(fake.useCases.updateUser.execute).toHaveBeenCalledWith({
        userId: USER_ID,
        username: undefined,
        email: undefined,
        password: undefined,
        bio: null,
        image: null,
      });
    });

    it('PUT /user refuses a numeric bio and a null email', async () => {
      fake = await startFakeApp();
      const bio = await fake.app.inject({ method: 'PUT', url: '/api/user', headers: auth(), payload: { user: { bio: 5 } } });
      expect(bio.statusCode).toBe(422);
      expect(bio.json()).toEqual({ errors: { bio: ['must be a string or null'] } });
      const email = await fake.app.inject({ method: 'PUT', url: '/api/user', headers: auth(), payload: { user: { email: null } } });
      expect(email.statusCode).toBe(422);
      expect(email.json()).toEqual({ errors: { email: ['must be a string'] } });
    });

    it('POST comments refuses a missing or non-string body', async () => {
      fake = await startFakeApp();
      const url = '/api/articles/a/comments';
      const missing = await fake.app.inject({ method: 'POST', url, headers: auth(), payload: { comment: {} } });
      expect(missing.json()).toEqual({ errors: { body: ["can't be blank"] } });
      const numeric = await fake.app.inject({ method: 'POST', url, headers: auth(), payload: { comment: { body: 1 } } });
      expect(numeric.statusCode).toBe(422);
      const wrapper = await fake.app.inject({ method: 'POST', url, headers: auth(), payload: { body: 'x' } });
      expect(wrapper.json()).toEqual({ errors: { comment: ["can't be blank"] } });
    });
  });

  describe('query strings (coerced)', () => {
    it('defaults to limit 20 offset 0 and clamps limit to 100', async () => {
      fake = await startFakeApp();
      await fake.app.inject({ method: 'GET', url: '/api/articles' });
      expect(fake.useCases.listArticles.execute).toHaveBeenLastCalledWith(expect.objectContaining({ limit: 20, offset: 0 }));
      await fake.app.inject({ method: 'GET', url: '/api/articles?limit=5000&offset=40' });
      expect(fake.useCases.listArticles.execute).toHaveBeenLastCalledWith(expect.objectContaining({ limit: 100, offset: 40 }));
    });

    it('passes filters, treating empty ones as absent', async () => {
      fake = await startFakeApp();
      await fake.app.inject({ method: 'GET', url: '/api/articles?tag=dragons&author=jake&favorited=' });
      expect(fake.useCases.listArticles.execute).toHaveBeenLastCalledWith({
        tag: 'dragons',
        author: 'jake',
        favorited: undefined,
        viewerId: undefined,
        mayLag: true,
        limit: 20,
        offset: 0,
      });
    });

    it.each([
      ['limit=abc', 'limit', 'must be an integer'],
      ['limit=-1', 'limit', 'must be greater than or equal to 1'],
      ['limit=0', 'limit', 'must be greater than or equal to 1'],
      ['limit=2.5', 'limit', 'must be an integer'],
      ['offset=-5', 'offset', 'must be greater than or equal to 0'],
      ['offset=100001', 'offset', 'must be less than or equal to 100000'],
      ['tag=a&tag=b', 'tag', 'must be a string'],
    ])('GET /articles?%s → 422 on %s', async (query, field, message) => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: `/api/articles?${query}` });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: { [field]: [message] } });
      expect(fake.useCases.listArticles.execute).not.toHaveBeenCalled();
    });

    it('validates the feed page too', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: '/api/articles/feed?limit=x', headers: auth() });
      expect(res.statusCode).toBe(422);
      const ok = await fake.app.inject({ method: 'GET', url: '/api/articles/feed?limit=3&offset=1', headers: auth() });
      expect(ok.statusCode).toBe(200);
      expect(fake.useCases.getFeed.execute).toHaveBeenCalledWith({ viewerId: USER_ID, limit: 3, offset: 1 });
    });
  });

  describe('path parameters (coerced)', () => {
    it.each([['abc'], ['0'], ['-3'], ['1.5'], ['99999999999999999999']])(
      'DELETE comment id %s → 422 on id',
      async (id) => {
        fake = await startFakeApp();
        const res = await fake.app.inject({ method: 'DELETE', url: `/api/articles/a/comments/${id}`, headers: auth() });
        expect(res.statusCode).toBe(422);
        expect(Object.keys(res.json().errors)).toEqual(['id']);
        expect(fake.useCases.deleteComment.execute).not.toHaveBeenCalled();
      },
    );

    it('passes a numeric comment id as a number', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'DELETE', url: '/api/articles/a/comments/42', headers: auth() });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(fake.useCases.deleteComment.execute).toHaveBeenCalledWith({ actorId: USER_ID, slug: 'a', commentId: 42 });
    });

    it('decodes percent-encoded slugs and usernames', async () => {
      fake = await startFakeApp();
      await fake.app.inject({ method: 'GET', url: '/api/articles/%C3%A9t%C3%A9' });
      expect(fake.useCases.getArticle.execute).toHaveBeenCalledWith({ slug: 'été', viewerId: undefined, mayLag: true });
    });

    it('refuses an absurdly long slug', async () => {
      fake = await startFakeApp();
      const res = await fake.app.inject({ method: 'GET', url: `/api/articles/${'a'.repeat(600)}` });
      expect(res.statusCode).toBe(422);
      expect(Object.keys(res.json().errors)).toEqual(['slug']);
    });
  });
});
