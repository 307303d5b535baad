import { authOf, readerOf, requireAuth } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import {
  articleResponse,
  articlesResponse,
  createArticleBody,
  listArticlesQuery,
  PAGE_MAX,
  pageQuery,
  slugParams,
  updateArticleBody,
} from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

/** A filter given as `?tag=` (empty) is no filter, as front ends send empty form fields. */
const filter = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
const page = ({ limit, offset }: { limit: number; offset: number }) => ({ limit: Math.min(limit, PAGE_MAX), offset });
const article = <T>(view: T) => ({ article: view });

/** Articles, the feed, and favouriting (which answers with the article). */
export function articleRoutes(api: TypedApi, { useCases }: HttpDeps): void {
  const single = { 200: articleResponse };
  const many = { 200: articlesResponse };

  api.get('/articles', { schema: { querystring: listArticlesQuery, response: many } }, async (request, reply) => {
    const { tag, author, favorited } = request.query;
    const listed = await useCases.listArticles.execute({
      tag: filter(tag),
      author: filter(author),
      favorited: filter(favorited),
      ...readerOf(request),
      ...page(request.query),
    });
    return respond(reply, listed, (articles) => articles);
  });

  api.get(
    '/articles/feed',
    { onRequest: requireAuth, schema: { querystring: pageQuery, response: many } },
    async (request, reply) => {
      const feed = await useCases.getFeed.execute({ viewerId: authOf(request).userId, ...page(request.query) });
      return respond(reply, feed, (articles) => articles);
    },
  );

  api.post(
    '/articles',
    { onRequest: requireAuth, schema: { body: createArticleBody, response: { 201: articleResponse } } },
    async (request, reply) => {
      // Only the known fields: the body may carry anything else (an `authorId`, say), which is ignored.
      const { title, description, body, tagList } = request.body.article;
      const created = await useCases.createArticle.execute({
        authorId: authOf(request).userId,
        title,
        description,
        body,
        tagList,
      });
      return respond(reply, created, article, 201);
    },
  );

  api.get('/articles/:slug', { schema: { params: slugParams, response: single } }, async (request, reply) => {
    const found = await useCases.getArticle.execute({ slug: request.params.slug, ...readerOf(request) });
    return respond(reply, found, article);
  });

  api.put(
    '/articles/:slug',
    { onRequest: requireAuth, schema: { params: slugParams, body: updateArticleBody, response: single } },
    async (request, reply) => {
      const { title, description, body, tagList } = request.body.article;
      const updated = await useCases.updateArticle.execute({
        actorId: authOf(request).userId,
        slug: request.params.slug,
        title,
        description,
        body,
        tagList,
      });
      return respond(reply, updated, article);
    },
  );

  api.delete('/articles/:slug', { onRequest: requireAuth, schema: { params: slugParams } }, async (request, reply) => {
    const deleted = await useCases.deleteArticle.execute({ actorId: authOf(request).userId, slug: request.params.slug });
    return respond(reply, deleted, () => undefined, 204);
  });

  for (const [method, favorited] of [
    ['post', true],
    ['delete', false],
  ] as const) {
    api[method](
      '/articles/:slug/favorite',
      { onRequest: requireAuth, schema: { params: slugParams, response: single } },
      async (request, reply) => {
        const { slug } = request.params;
        const result = await useCases.setFavorite.execute({ userId: authOf(request).userId, slug, favorited });
        return respond(reply, result, article);
      },
    );
  }
}
