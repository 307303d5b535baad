// Write scenarios (each request commits, then waits for its projection: read-your-writes)
// and the deliberately expensive login and registration (argon2id). Pair scenarios
// (`…-toggle`, `comment-add-delete`) alternate a request and its undo on one connection;
// their figures per request are the mean of the two.
import { auth, json, newArticle, sentence, sequence, togglePair } from './scenario-helpers.mjs';

const withToken = (request, token, extra = {}) => ({ ...request, headers: { ...request.headers, ...auth(token), ...extra } });

export const WRITES = [
  {
    name: 'favorite-toggle',
    title: 'POST then DELETE /api/articles/:slug/favorite (many users)',
    requests: (f) => {
      const users = f.tokens.length;
      const pathOf = (s) => `/api/articles/${encodeURIComponent(s.slug)}/favorite`;
      return togglePair({
        // Pair k: user k mod U, article floor(k / U) mod S.
        subjectOf: (k) => ({ token: f.tokens[k % users].token, slug: f.slugs[Math.floor(k / users) % f.slugs.length] }),
        first: { method: 'POST', setup: (r, s) => ({ ...withToken(r, s.token), path: pathOf(s) }) },
        second: { method: 'DELETE', setup: (r, s) => ({ ...withToken(r, s.token), path: pathOf(s) }) },
      });
    },
  },
  {
    name: 'follow-toggle',
    title: 'POST then DELETE /api/profiles/:username/follow (many users)',
    requests: (f) => {
      const users = f.tokens.length;
      const targets = f.usernames.length;
      const pathOf = (s) => `/api/profiles/${encodeURIComponent(s.target)}/follow`;
      return togglePair({
        subjectOf: (k) => {
          const follower = f.tokens[k % users];
          let target = f.usernames[Math.floor(k / users) % targets];
          if (target === follower.username) target = f.usernames[(Math.floor(k / users) + 1) % targets];
          return { token: follower.token, target };
        },
        first: { method: 'POST', setup: (r, s) => ({ ...withToken(r, s.token), path: pathOf(s) }) },
        second: { method: 'DELETE', setup: (r, s) => ({ ...withToken(r, s.token), path: pathOf(s) }) },
      });
    },
  },
  {
    name: 'comment-add',
    title: 'POST /api/articles/:slug/comments',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const k = seq.next();
            return {
              ...withToken(request, seq.pick(f.tokens, k).token, json),
              path: `/api/articles/${encodeURIComponent(seq.pick(f.slugs, k * 7))}/comments`,
              body: JSON.stringify({ comment: { body: `Benchmark comment ${k}: ${sentence(k, 14)}.` } }),
            };
          },
        },
      ];
    },
  },
  {
    name: 'comment-add-delete',
    title: 'POST /api/articles/:slug/comments then DELETE …/comments/:id',
    requests: (f) => {
      const users = f.tokens.length;
      const base = (s) => `/api/articles/${encodeURIComponent(s.slug)}/comments`;
      return togglePair({
        subjectOf: (k) => ({ k, token: f.tokens[k % users].token, slug: f.slugs[(k * 7) % f.slugs.length] }),
        first: {
          method: 'POST',
          setup: (r, s) => ({
            ...withToken(r, s.token, json),
            path: base(s),
            body: JSON.stringify({ comment: { body: `Benchmark comment ${s.k}: ${sentence(s.k, 14)}.` } }),
          }),
          onResponse: (status, body, context) => {
            if (status === 200) context.commentId = JSON.parse(body).comment.id;
          },
        },
        // No id (the add failed, which already fails the run): a path that answers 404.
        second: { method: 'DELETE', setup: (r, s, c) => ({ ...withToken(r, s.token), path: `${base(s)}/${c.commentId ?? 0}` }) },
      });
    },
  },
  {
    name: 'article-create',
    title: 'POST /api/articles (unique titles, 2 tags)',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const k = seq.next();
            return {
              ...withToken(request, seq.pick(f.tokens, k).token, json),
              path: '/api/articles',
              body: JSON.stringify({ article: newArticle(f, k) }),
            };
          },
        },
      ];
    },
  },
  {
    name: 'article-update',
    title: 'PUT /api/articles/:slug (author, new description and body)',
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'PUT',
          setupRequest: (request) => {
            const k = seq.next();
            const owned = seq.pick(f.owned, k);
            return {
              ...withToken(request, owned.token, json),
              path: `/api/articles/${encodeURIComponent(owned.slug)}`,
              // Unique per request: an edit that changes nothing records no event and writes nothing.
              body: JSON.stringify({
                article: {
                  description: `Edit ${f.runId} ${f.round} ${k}: ${sentence(k, 9)}`,
                  body: [`Edit ${k}.`, ...Array.from({ length: 5 }, (_, p) => `${sentence(k + p, 30)}.`)].join('\n\n'),
                },
              }),
            };
          },
        },
      ];
    },
  },
];

export const AUTHS = [
  {
    name: 'login',
    title: 'POST /api/users/login (argon2id verify)',
    baseline: 'bare',
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
