// Read scenarios. `cache` marks the reads a response cache is meant to serve: anonymous
// ones repeat a few keys; personalised ones are the same requests with a token (their
// answers carry `favorited` and `following`, so they cannot be shared between users).
import { auth, rotatingGet } from './scenario-helpers.mjs';

const bySlug = (f, suffix = '') => (k, s) => `/api/articles/${encodeURIComponent(s.pick(f.slugs, k))}${suffix}`;
const hotSlug = (f) => (k, s) => `/api/articles/${encodeURIComponent(s.pick(f.hotSlugs, k))}`;
const tagPath = (f) => `/api/articles?tag=${encodeURIComponent(f.popularTag)}`;

export const READS = [
  {
    name: 'list',
    title: 'GET /api/articles (anonymous)',
    cache: 'anonymous',
    growth: true,
    requests: () => [{ method: 'GET', path: '/api/articles' }],
  },
  {
    name: 'list-offset',
    title: 'GET /api/articles?limit=20&offset=100',
    growth: true,
    requests: () => [{ method: 'GET', path: '/api/articles?limit=20&offset=100' }],
  },
  {
    name: 'list-tag',
    title: 'GET /api/articles?tag=<most used tag> (anonymous)',
    cache: 'anonymous',
    growth: true,
    requests: (f) => [{ method: 'GET', path: tagPath(f) }],
  },
  {
    name: 'list-personal',
    title: 'GET /api/articles (token: favorited, following)',
    cache: 'personal',
    growth: true,
    requests: (f) => rotatingGet(() => '/api/articles', true, f),
  },
  {
    name: 'list-tag-personal',
    title: 'GET /api/articles?tag=<most used tag> (token)',
    cache: 'personal',
    growth: true,
    requests: (f) => rotatingGet(() => tagPath(f), true, f),
  },
  {
    name: 'feed',
    title: 'GET /api/articles/feed (token)',
    growth: true,
    requests: (f) => rotatingGet(() => '/api/articles/feed', true, f),
  },
  {
    name: 'article',
    title: 'GET /api/articles/:slug (200 slugs rotating, anonymous)',
    cache: 'anonymous',
    requests: (f) => rotatingGet(bySlug(f), false, f),
  },
  {
    name: 'article-hot',
    title: 'GET /api/articles/:slug (10 slugs rotating, anonymous)',
    cache: 'anonymous',
    requests: (f) => rotatingGet(hotSlug(f), false, f),
  },
  {
    name: 'article-personal',
    title: 'GET /api/articles/:slug (200 slugs rotating, token)',
    cache: 'personal',
    requests: (f) => rotatingGet(bySlug(f), true, f),
  },
  {
    name: 'comments',
    title: 'GET /api/articles/:slug/comments (rotating slugs)',
    requests: (f) => rotatingGet(bySlug(f, '/comments'), false, f),
  },
  {
    name: 'tags',
    title: 'GET /api/tags (anonymous)',
    cache: 'anonymous',
    requests: () => [{ method: 'GET', path: '/api/tags' }],
  },
  {
    name: 'tags-personal',
    title: 'GET /api/tags (token)',
    cache: 'personal',
    requests: (f) => [{ method: 'GET', path: '/api/tags', headers: auth(f.tokens[0].token) }],
  },
  {
    name: 'profile',
    title: 'GET /api/profiles/:username (rotating users)',
    requests: (f) => rotatingGet((k, s) => `/api/profiles/${encodeURIComponent(s.pick(f.usernames, k))}`, false, f),
  },
];
