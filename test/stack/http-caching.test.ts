import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../deploy/stack/endpoints.js';
import { Api, expectStatus, register, type Article } from './support/api.js';
import { runId, stackFromEnv } from './support/endpoints.js';

/**
 * ETags and Cache-Control as clients see them through nginx and on each replica: a body's
 * tag is the same whichever replica answered it, a matching If-None-Match gets 304 with no
 * body anywhere, and a write makes the old tag stale at once on every replica.
 */
const stack = stackFromEnv();

describe.skipIf(stack === undefined)('HTTP caching through nginx and the replicas', () => {
  const endpoints = stack as StackEndpoints;

  it('tags equal bodies alike on every replica, answers 304 to a current tag and 200 once it changed', async () => {
    const nginx = new Api(endpoints.api, 'nginx');
    const author = await register(nginx, `e${runId()}`);
    const created = await nginx.request<{ article: Article }>('POST', '/articles', {
      token: author.token,
      body: { article: { title: `etag ${runId()}`, description: 'd', body: 'b', tagList: [] } },
    });
    expectStatus(created, 201, 'create');
    const path = `/articles/${created.body.article.slug}`;
    const apis = [nginx, ...endpoints.replicas.map((r) => new Api(r.api, r.name))];

    const first = await nginx.get(path);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"/);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=0, s-maxage=\d+$/);
    expect(first.headers.get('vary')).toContain('Authorization');
    for (const api of apis) {
      const revalidated = await api.request('GET', path, { headers: { 'if-none-match': etag } });
      expect(revalidated.status, api.label).toBe(304);
      expect(revalidated.body, api.label).toBeUndefined();
    }

    const signedIn = await nginx.get(path, author.token);
    expect(signedIn.headers.get('cache-control')).toBe('private, no-cache');

    expectStatus(await nginx.request('POST', `${path}/favorite`, { token: author.token }), 200, 'favourite');
    for (const api of apis) {
      const changed = await api.request<{ article: Article }>('GET', path, { headers: { 'if-none-match': etag } });
      expect(changed.status, `${api.label} after the write`).toBe(200);
      expect(changed.body.article.favoritesCount, api.label).toBe(1);
      expect(changed.headers.get('etag'), api.label).not.toBe(etag);
    }
  });
});
