import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/client.js';

describe('comments API (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('adds (200 with the comment), lists oldest first, and deletes (204)', async () => {
    const author = await api.register('author');
    const commenter = await api.register('commenter');
    const { slug } = await api.createArticle(author);

    const added = await api.request('POST', `/articles/${slug}/comments`, {
      token: commenter.token,
      body: { comment: { body: 'Thank you so much!' } },
    });
    expect(added.statusCode).toBe(200);
    const { comment } = added.json();
    expect(comment).toEqual({
      id: expect.any(Number),
      createdAt: expect.stringMatching(/^\d{4}-/),
      updatedAt: expect.stringMatching(/^\d{4}-/),
      body: 'Thank you so much!',
      author: { username: commenter.username, bio: null, image: null, following: false },
    });
    const second = await api.addComment(author, slug, 'You are welcome');

    const listed = await api.request('GET', `/articles/${slug}/comments`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().comments.map((c: { body: string }) => c.body)).toEqual(['Thank you so much!', 'You are welcome']);

    const deleted = await api.request('DELETE', `/articles/${slug}/comments/${comment.id}`, { token: commenter.token });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const after = await api.request('GET', `/articles/${slug}/comments`);
    expect(after.json().comments.map((c: { id: number }) => c.id)).toEqual([second.id]);
  });

  it('shows following on comment authors to the viewer who follows them', async () => {
    const author = await api.register('author');
    const fan = await api.register('fan');
    const { slug } = await api.createArticle(author);
    await api.addComment(author, slug);
    await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token });
    const asFan = await api.request('GET', `/articles/${slug}/comments`, { token: fan.token });
    expect(asFan.json().comments[0].author.following).toBe(true);
    const anonymous = await api.request('GET', `/articles/${slug}/comments`);
    expect(anonymous.json().comments[0].author.following).toBe(false);
  });

  it('an article without comments lists none; an unknown article is 404', async () => {
    const author = await api.register('author');
    const { slug } = await api.createArticle(author);
    expect((await api.request('GET', `/articles/${slug}/comments`)).json()).toEqual({ comments: [] });
    const missing = await api.request('GET', '/articles/no-such-article/comments');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ errors: { article: ['not found'] } });
  });

  it('adding: 401 without a token, 404 on an unknown article, 422 on a blank or missing body', async () => {
    const author = await api.register('author');
    const { slug } = await api.createArticle(author);
    const url = `/articles/${slug}/comments`;
    expect((await api.request('POST', url, { body: { comment: { body: 'x' } } })).statusCode).toBe(401);
    expect(
      (await api.request('POST', '/articles/no-such/comments', { token: author.token, body: { comment: { body: 'x' } } }))
        .statusCode,
    ).toBe(404);
    const blank = await api.request('POST', url, { token: author.token, body: { comment: { body: '  ' } } });
    expect(blank.statusCode).toBe(422);
    expect(blank.json()).toEqual({ errors: { body: ["can't be blank"] } });
    const missing = await api.request('POST', url, { token: author.token, body: {} });
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toEqual({ errors: { comment: ["can't be blank"] } });
  });

  it('deleting: 403 for someone else, 404 for an unknown id or another article’s comment, 422 for a bad id', async () => {
    const author = await api.register('author');
    const stranger = await api.register('stranger');
    const { slug } = await api.createArticle(author);
    const other = await api.createArticle(author);
    const comment = await api.addComment(author, slug);

    const forbidden = await api.request('DELETE', `/articles/${slug}/comments/${comment.id}`, { token: stranger.token });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().errors).toBeDefined();
    expect((await api.request('DELETE', `/articles/${slug}/comments/${comment.id}`)).statusCode).toBe(401);
    expect((await api.request('DELETE', `/articles/${slug}/comments/999999`, { token: author.token })).statusCode).toBe(404);
    expect(
      (await api.request('DELETE', `/articles/${other.slug}/comments/${comment.id}`, { token: author.token })).statusCode,
    ).toBe(404);
    const bad = await api.request('DELETE', `/articles/${slug}/comments/abc`, { token: author.token });
    expect(bad.statusCode).toBe(422);
    expect(Object.keys(bad.json().errors)).toEqual(['id']);
    expect((await api.request('GET', `/articles/${slug}/comments`)).json().comments).toHaveLength(1);
  });

  it('deleting an article takes its comments with it', async () => {
    const author = await api.register('author');
    const { slug } = await api.createArticle(author);
    const comment = await api.addComment(author, slug);
    await api.request('DELETE', `/articles/${slug}`, { token: author.token });
    expect((await api.request('GET', `/articles/${slug}/comments`)).statusCode).toBe(404);
    expect((await api.request('DELETE', `/articles/${slug}/comments/${comment.id}`, { token: author.token })).statusCode).toBe(
      404,
    );
  });
});

describe('tags API (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('starts empty and lists the tags in use', async () => {
    expect((await api.request('GET', '/tags')).json()).toEqual({ tags: [] });
    const author = await api.register('author');
    await api.createArticle(author, { tagList: ['dragons', 'training'] });
    await api.createArticle(author, { tagList: ['dragons'] });
    const res = await api.request('GET', '/tags');
    expect(res.statusCode).toBe(200);
    expect(res.json().tags).toEqual(['dragons', 'training']);
  });
});
