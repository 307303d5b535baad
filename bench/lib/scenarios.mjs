// The benchmark's scenarios. Each one turns the fixtures (tokens of seeded users, slugs,
// usernames, the most used tag) into an autocannon `requests` array. Requests that vary
// (another slug, another user, a unique title) draw from a counter per scenario, so two
// connections never work on the same (user, article) pair at the same time.

/** Read scenarios, the main table. Login and registration are not here: see `auth`. */
export const READ = 'read';
/** Write scenarios: each request commits and waits for its projection (read-your-writes). */
export const WRITE = 'write';
/** Deliberately expensive (argon2id): measured separately with fewer connections. */
export const AUTH = 'auth';

const json = { 'content-type': 'application/json' };
const auth = (token) => ({ authorization: `Token ${token}` });

/** A counter and helpers to pick from lists by it, one per scenario run. */
function sequence() {
  let n = 0;
  return {
    next: () => n++,
    pick: (list, k) => list[k % list.length],
  };
}

/** A GET whose path (and optional token) changes with every request. */
function rotatingGet(path, withToken, fixtures) {
  const seq = sequence();
  return [
    {
      method: 'GET',
      setupRequest: (request) => {
        const k = seq.next();
        const headers = withToken ? { ...request.headers, ...auth(seq.pick(fixtures.tokens, k).token) } : request.headers;
        return { ...request, path: path(k, seq), headers };
      },
    },
  ];
}

const WORDS = 'river garden engine signal cache stream query design summer ocean bridge craft theory kernel'.split(' ');
const sentence = (k, length) => Array.from({ length }, (_, i) => WORDS[(k * 7 + i * 3) % WORDS.length]).join(' ');

/** Every scenario, in the order they run: reads, then writes (which change the data), then auth. */
export const SCENARIOS = [
  {
    name: 'list',
    group: READ,
    title: 'GET /api/articles (anonymous)',
    requests: () => [{ method: 'GET', path: '/api/articles' }],
  },
  {
    name: 'list-offset',
    group: READ,
    title: 'GET /api/articles?limit=20&offset=100',
    requests: () => [{ method: 'GET', path: '/api/articles?limit=20&offset=100' }],
  },
  {
    name: 'list-tag',
    group: READ,
    title: 'GET /api/articles?tag=<most used tag>',
    requests: (f) => [{ method: 'GET', path: `/api/articles?tag=${encodeURIComponent(f.popularTag)}` }],
  },
  {
    name: 'list-personal',
    group: READ,
    title: 'GET /api/articles (token: favorited, following)',
    requests: (f) => rotatingGet(() => '/api/articles', true, f),
  },
  {
    name: 'feed',
    group: READ,
    title: 'GET /api/articles/feed (token)',
    requests: (f) => rotatingGet(() => '/api/articles/feed', true, f),
  },
  {
    name: 'article',
    group: READ,
    title: 'GET /api/articles/:slug (rotating slugs)',
    requests: (f) => rotatingGet((k, s) => `/api/articles/${encodeURIComponent(s.pick(f.slugs, k))}`, false, f),
  },
  {
    name: 'comments',
    group: READ,
    title: 'GET /api/articles/:slug/comments (rotating slugs)',
    requests: (f) =>
      rotatingGet((k, s) => `/api/articles/${encodeURIComponent(s.pick(f.slugs, k))}/comments`, false, f),
  },
  {
    name: 'tags',
    group: READ,
    title: 'GET /api/tags',
    requests: () => [{ method: 'GET', path: '/api/tags' }],
  },
  {
    name: 'profile',
    group: READ,
    title: 'GET /api/profiles/:username (rotating users)',
    requests: (f) =>
      rotatingGet((k, s) => `/api/profiles/${encodeURIComponent(s.pick(f.usernames, k))}`, false, f),
  },
  {
    name: 'favorite-toggle',
    group: WRITE,
    title: 'POST then DELETE /api/articles/:slug/favorite (many users)',
    requests: (f) => {
      const seq = sequence();
      const users = f.tokens.length;
      // Pair k: user k mod U, article floor(k / U) mod S. A connection favourites then
      // unfavourites its pair; the same pair comes round again only after U × S pairs.
      const pathOf = (pair) => `/api/articles/${encodeURIComponent(pair.slug)}/favorite`;
      return [
        {
          method: 'POST',
          setupRequest: (request, context) => {
            const k = seq.next();
            context.pair = {
              token: f.tokens[k % users].token,
              slug: f.slugs[Math.floor(k / users) % f.slugs.length],
            };
            return { ...request, path: pathOf(context.pair), headers: { ...request.headers, ...auth(context.pair.token) } };
          },
        },
        {
          method: 'DELETE',
          setupRequest: (request, context) => ({
            ...request,
            path: pathOf(context.pair),
            headers: { ...request.headers, ...auth(context.pair.token) },
          }),
        },
      ];
    },
  },
  {
    name: 'comment-add',
    group: WRITE,
    title: 'POST /api/articles/:slug/comments',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const k = seq.next();
            return {
              ...request,
              path: `/api/articles/${encodeURIComponent(seq.pick(f.slugs, k * 7))}/comments`,
              headers: { ...request.headers, ...json, ...auth(seq.pick(f.tokens, k).token) },
              body: JSON.stringify({ comment: { body: `Benchmark comment ${k}: ${sentence(k, 14)}.` } }),
            };
          },
        },
      ];
    },
  },
  {
    name: 'article-create',
    group: WRITE,
    title: 'POST /api/articles (unique titles, 2 tags)',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const k = seq.next();
            const article = {
              title: `Benchmark ${f.runId} ${f.round} article ${k}`,
              description: sentence(k, 10),
              body: Array.from({ length: 5 }, (_, p) => `${sentence(k + p, 30)}.`).join('\n\n'),
              tagList: [seq.pick(f.tags, k), seq.pick(f.tags, k + 3)],
            };
            return {
              ...request,
              path: '/api/articles',
              headers: { ...request.headers, ...json, ...auth(seq.pick(f.tokens, k).token) },
              body: JSON.stringify({ article }),
            };
          },
        },
      ];
    },
  },
  {
    name: 'login',
    group: AUTH,
    title: 'POST /api/users/login (argon2id verify)',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const user = seq.pick(f.logins, seq.next());
            return {
              ...request,
              path: '/api/users/login',
              headers: { ...request.headers, ...json },
              body: JSON.stringify({ user: { email: user.email, password: user.password } }),
            };
          },
        },
      ];
    },
  },
  {
    name: 'register',
    group: AUTH,
    title: 'POST /api/users (argon2id hash, unique users)',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const k = seq.next();
            const username = `bench_${f.runId}_${f.round}_new_${k}`;
            return {
              ...request,
              path: '/api/users',
              headers: { ...request.headers, ...json },
              body: JSON.stringify({ user: { username, email: `${username}@example.test`, password: 'password123' } }),
            };
          },
        },
      ];
    },
  },
];
