import { describe, expect, it } from 'vitest';
import { Api, expectStatus, register, type Article, type Comment, type Profile, type User } from './support/api.js';
import { runId, stackFromEnv } from './support/endpoints.js';

/**
 * `favorited` and `following` belong to the viewer. Two users (and an anonymous client)
 * read the same article, list, profile, comments and feed through nginx, alternately and
 * all at once, and each must only ever see their own: a cache or read path that served
 * one viewer's answer to another would show here.
 */
const stack = stackFromEnv();

describe.skipIf(stack === undefined)("personalised fields through nginx", () => {
  it("never shows one viewer another viewer's favorited or following", { timeout: 300_000 }, async () => {
    const api = new Api(stack?.api ?? '', 'nginx');
    const id = runId();
    const author = await register(api, `p${id}a`);
    const one = await register(api, `p${id}b`);
    const two = await register(api, `p${id}c`);
    const created = await api.request<{ article: Article }>('POST', '/articles', {
      token: author.token,
      body: { article: { title: `personal ${id}`, description: 'd', body: 'b', tagList: [] } },
    });
    expectStatus(created, 201, 'create the article');
    const slug = created.body.article.slug;
    expectStatus(
      await api.request('POST', `/articles/${slug}/comments`, { token: author.token, body: { comment: { body: 'c' } } }),
      200,
      'comment',
    );

    /** Everything personalised a viewer reads, each answer checked against what `viewer` should see. */
    const views = (viewer: User | undefined, sees: { favorited: boolean; following: boolean }) => {
      const who = viewer?.username ?? 'an anonymous client';
      const token = viewer?.token;
      return [
        async () => {
          const { body } = await api.get<{ article: Article }>(`/articles/${slug}`, token);
          expect({ favorited: body.article.favorited, following: body.article.author.following }, `article, ${who}`).toEqual(sees);
          expect(body.article.favoritesCount, `favoritesCount, ${who}`).toBe(1);
        },
        async () => {
          const { body } = await api.get<{ articles: Article[] }>(`/articles?author=${author.username}`, token);
          const [listed] = body.articles;
          expect({ favorited: listed?.favorited, following: listed?.author.following }, `list, ${who}`).toEqual(sees);
        },
        async () => {
          const { body } = await api.get<{ profile: Profile }>(`/profiles/${author.username}`, token);
          expect(body.profile.following, `profile, ${who}`).toBe(sees.following);
        },
        async () => {
          const { body } = await api.get<{ comments: Comment[] }>(`/articles/${slug}/comments`, token);
          expect(body.comments.map((c) => c.author.following), `comments, ${who}`).toEqual([sees.following]);
        },
        async () => {
          if (viewer === undefined) return;
          const { body } = await api.get<{ articles: Article[] }>('/articles/feed', token);
          expect(body.articles.map((a) => a.slug), `feed, ${who}`).toEqual(sees.following ? [slug] : []);
        },
      ];
    };

    const alternate = async (a: (() => Promise<void>)[], b: (() => Promise<void>)[], anonymous: (() => Promise<void>)[]) => {
      for (let i = 0; i < 15; i++)
        for (let k = 0; k < a.length; k++) {
          await a[k]?.();
          await b[k]?.();
          if (i % 3 === 0) await anonymous[k]?.();
        }
      // And all at once, interleaved on the wire.
      await Promise.all(Array.from({ length: 4 }, () => [...a, ...b, ...anonymous]).flat().map((view) => view()));
    };

    const write = async (method: string, path: string, user: User) =>
      expectStatus(await api.request(method, path, { token: user.token }), 200, `${method} ${path}`);

    await write('POST', `/articles/${slug}/favorite`, one);
    await write('POST', `/profiles/${author.username}/follow`, one);
    const nobody = views(undefined, { favorited: false, following: false });
    await alternate(views(one, { favorited: true, following: true }), views(two, { favorited: false, following: false }), nobody);

    // Swapped: the first viewer leaves, the second joins.
    await write('DELETE', `/articles/${slug}/favorite`, one);
    await write('DELETE', `/profiles/${author.username}/follow`, one);
    await write('POST', `/articles/${slug}/favorite`, two);
    await write('POST', `/profiles/${author.username}/follow`, two);
    await alternate(views(one, { favorited: false, following: false }), views(two, { favorited: true, following: true }), nobody);
  });
});
