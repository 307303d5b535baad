import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type Registered } from './support/client.js';
import { startFakeApp, type FakeApp } from './support/fake-deps.js';

describe('HTTP caching of GET answers (fake use cases)', () => {
  let fake: FakeApp;
  afterEach(async () => fake?.app.close());

  const get = (url: string, headers: Record<string, string> = {}) => fake.app.inject({ method: 'GET', url, headers });

  it('tags every successful GET with an ETag and answers 304 without a body when it still matches', async () => {
    fake = await startFakeApp();
    const first = await get('/api/tags');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await get('/api/tags')).headers.etag).toBe(etag);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const revalidated = await get('/api/tags', { 'if-none-match': ifNoneMatch });
      expect(revalidated.statusCode, ifNoneMatch).toBe(304);
      expect(revalidated.body).toBe('');
      expect(revalidated.headers.etag).toBe(etag);
      expect(revalidated.headers['cache-control']).toBe('public, max-age=0, s-maxage=1');
    }
    const changed = await get('/api/tags', { 'if-none-match': '"something-else"' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({ tags: ['dragons', 'training'] });
  });

  it('lets shared caches keep anonymous answers briefly, and only browsers keep signed-in ones', async () => {
    fake = await startFakeApp({ options: { sharedMaxAgeS: 5 } });
    const anonymous = await get('/api/articles');
    expect(anonymous.headers['cache-control']).toBe('public, max-age=0, s-maxage=5');
    expect(anonymous.headers.vary).toContain('Authorization');
    const signedIn = await get('/api/articles', { authorization: `Token ${fake.token}` });
    expect(signedIn.headers['cache-control']).toBe('private, no-cache');
    expect(signedIn.headers.vary).toContain('Authorization');
    expect(signedIn.headers.etag).toBeDefined();
  });

  it('keeps writes and errors out of every cache, and never answers them 304', async () => {
    fake = await startFakeApp();
    const missing = await get('/api/nothing', { 'if-none-match': '*' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.headers.etag).toBeUndefined();
    const write = await fake.app.inject({
      method: 'POST',
      url: '/api/articles/how-to-train-your-dragon/favorite',
      headers: { authorization: `Token ${fake.token}`, 'if-none-match': '*' },
    });
    expect(write.statusCode).toBe(200);
    expect(write.headers['cache-control']).toBe('no-store');
    expect(write.headers.etag).toBeUndefined();
  });

  it('lets browsers read the rate-limit headers and the ETag (CORS)', async () => {
    fake = await startFakeApp({ options: { rateLimitPerMinute: 100 } });
    const answer = await get('/api/tags', { origin: 'https://app.example' });
    const exposed = String(answer.headers['access-control-expose-headers']).toLowerCase();
    for (const header of ['etag', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
      expect(exposed).toContain(header);
    expect(answer.headers['x-ratelimit-limit']).toBe('100');
  });
});

/**
 * `favorited` and `following` belong to the viewer. Three viewers read the same things in
 * turn, each resending the ETag the previous one got (as a shared cache revalidating would):
 * a 304 is only ever given for a body the asker would have got anyway.
 */
describe('no viewer ever receives another viewer’s fields (whole application)', () => {
  let api: ApiClient;
  let author: Registered;
  let fan: Registered;
  let other: Registered;
  let slug: string;

  beforeAll(async () => {
    api = await ApiClient.start();
    author = await api.register('author');
    fan = await api.register('fan');
    other = await api.register('other');
    slug = (await api.createArticle(author)).slug;
    await api.request('POST', `/articles/${slug}/comments`, { token: author.token, body: { comment: { body: 'hi' } } });
    await api.request('POST', `/articles/${slug}/favorite`, { token: fan.token });
    await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token });
  });
  afterAll(async () => api?.close());

  const get = (url: string, viewer: Registered | undefined, etag?: string): Promise<LightMyRequestResponse> =>
    api.test.app.inject({
      method: 'GET',
      url: `/api${url}`,
      headers: { ...(viewer && { authorization: `Token ${viewer.token}` }), ...(etag && { 'if-none-match': etag }) },
    });

  /** What each read shows of the viewer's own: [favorited, following] as the body says. */
  const personal: Record<string, (body: any) => unknown> = {
    '/articles/SLUG': (b) => [b.article.favorited, b.article.author.following],
    '/articles': (b) => b.articles.map((a: any) => [a.favorited, a.author.following]),
    '/articles?author=AUTHOR': (b) => b.articles.map((a: any) => [a.favorited, a.author.following]),
    '/profiles/AUTHOR': (b) => b.profile.following,
    '/articles/SLUG/comments': (b) => b.comments.map((c: any) => c.author.following),
  };

  it('answers each viewer with their own fields, revalidated or not, in any order', async () => {
    const expected = (viewer: Registered | undefined) => {
      const mine = viewer === fan;
      return {
        '/articles/SLUG': [mine, mine],
        '/articles': [[mine, mine]],
        '/articles?author=AUTHOR': [[mine, mine]],
        '/profiles/AUTHOR': mine,
        '/articles/SLUG/comments': [mine],
      } as Record<string, unknown>;
    };
    const viewers = [fan, undefined, other, fan, other, undefined, undefined, fan];
    let previous: Record<string, string | undefined> = {};
    for (const viewer of viewers) {
      const seen: Record<string, string | undefined> = {};
      for (const [path, pick] of Object.entries(personal)) {
        const url = path.replace('SLUG', slug).replace('AUTHOR', author.username);
        const answer = await get(url, viewer, previous[path]);
        seen[path] = answer.headers.etag as string | undefined;
        if (answer.statusCode === 304) {
          // Only the same body may be revalidated: the same viewer kind, the same fields.
          expect(seen[path], `${path} for ${viewer?.username ?? 'anonymous'}`).toBe(previous[path]);
          continue;
        }
        expect(answer.statusCode).toBe(200);
        expect(pick(answer.json()), `${path} for ${viewer?.username ?? 'anonymous'}`).toEqual(expected(viewer)[path]);
        expect(answer.headers['cache-control']).toBe(viewer ? 'private, no-cache' : 'public, max-age=0, s-maxage=1');
      }
      previous = seen;
    }
    // The fan's answers and everyone else's differ, so their tags do too.
    const fanTag = (await get(`/articles/${slug}`, fan)).headers.etag;
    const otherTag = (await get(`/articles/${slug}`, other)).headers.etag;
    const anonymousTag = (await get(`/articles/${slug}`, undefined)).headers.etag;
    expect(fanTag).not.toBe(otherTag);
    expect(otherTag).toBe(anonymousTag);
    expect((await get(`/articles/${slug}`, other, fanTag as string)).statusCode).toBe(200);
  });
});

/**
 * A cached anonymous answer is serialised once per entry and its bytes reused (with their
 * ETag): the first answers below are fresh (the key's first misses), the later ones are
 * hits sent as those bytes. Every one must be byte for byte the fresh answer, and a
 * signed-in reader in between must get their own fields, never the shared bytes.
 */
describe('cached anonymous answers sent as bytes serialised once (whole application)', () => {
  let api: ApiClient;
  let author: Registered;
  let fan: Registered;
  let slug: string;

  beforeAll(async () => {
    api = await ApiClient.start();
    author = await api.register('author');
    fan = await api.register('fan');
    slug = (await api.createArticle(author, { tagList: ['dragons'] })).slug;
    await api.addComment(author, slug);
    await api.request('POST', `/articles/${slug}/favorite`, { token: fan.token });
    await api.request('POST', `/profiles/${author.username}/follow`, { token: fan.token });
  });
  afterAll(async () => api?.close());

  const get = (url: string, viewer?: Registered) => api.request('GET', url, viewer && { token: viewer.token });
  const bytesOf = (answer: LightMyRequestResponse) => answer.rawPayload.toString('base64');

  it('sends the same bytes and ETag as the fresh answer, to anonymous readers only', async () => {
    for (const url of ['/articles', '/articles?tag=dragons', `/articles/${slug}`, `/articles/${slug}/comments`, `/profiles/${author.username}`, '/tags']) {
      const fresh = await get(url);
      expect(fresh.statusCode, url).toBe(200);
      for (let i = 0; i < 4; i++) {
        const again = await get(url);
        expect([again.statusCode, bytesOf(again), again.headers.etag, again.headers['content-type']], url).toEqual([
          200,
          bytesOf(fresh),
          fresh.headers.etag,
          fresh.headers['content-type'],
        ]);
        expect(again.headers['cache-control'], url).toBe('public, max-age=0, s-maxage=1');
      }
      const signedIn = await get(url, fan);
      expect(signedIn.headers['cache-control'], url).toBe('private, no-cache');
      if (url !== '/tags') expect(bytesOf(signedIn), url).not.toBe(bytesOf(fresh));
      expect(bytesOf(await get(url)), url).toBe(bytesOf(fresh));
      const revalidated = await api.test.app.inject({ method: 'GET', url: `/api${url}`, headers: { 'if-none-match': fresh.headers.etag as string } });
      expect([revalidated.statusCode, revalidated.body], url).toEqual([304, '']);
    }
  });

  it('sends new bytes with a new ETag once a write changed the entry', async () => {
    const url = `/articles/${slug}`;
    for (let i = 0; i < 3; i++) await get(url);
    const before = await get(url);
    expect(before.json().article.favoritesCount).toBe(1);
    await api.request('DELETE', `/articles/${slug}/favorite`, { token: fan.token });
    const after = await get(url);
    expect(after.json().article.favoritesCount).toBe(0);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });
});
