import type { FastifyInstance, FastifyReply } from 'fastify';
import { authOf, requireAuth, viewerOf } from '../auth.js';
import { sendDomainError } from '../errors.js';
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
  type CreateArticleBody,
  type ListArticlesQuery,
  type PageQuery,
  type SlugParams,
  type UpdateArticleBody,
} from '../schemas.js';

/** A filter given as `?tag=` (empty) is no filter, as front ends send empty form fields. */
const filter = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
const page = ({ limit, offset }: PageQuery) => ({ limit: Math.min(limit, PAGE_MAX), offset });

/** Articles, the feed, and favouriting (which answers with the article). */
export function articleRoutes(api: FastifyInstance, { commands, queries }: HttpDeps): void {
  const sendArticle = async (reply: FastifyReply, slug: string, viewerId: string | undefined, status = 200) =>
    respond(reply, await queries.getArticle.execute({ slug, viewerId }), (article) => ({ article }), status);

  const single = { 200: articleResponse };
  const many = { 200: articlesResponse };

  api.get<{ Querystring: ListArticlesQuery }>(
    '/articles',
    { schema: { querystring: listArticlesQuery, response: many } },
    async (request, reply) => {
      const { tag, author, favorited } = request.query;
      const listed = await queries.listArticles.execute({
        tag: filter(tag),
        author: filter(author),
        favorited: filter(favorited),
        viewerId: viewerOf(request),
        ...page(request.query),
      });
      return respond(reply, listed, (articles) => articles);
    },
  );

  api.get<{ Querystring: PageQuery }>(
    '/articles/feed',
    { onRequest: requireAuth, schema: { querystring: pageQuery, response: many } },
    async (request, reply) => {
      const feed = await queries.getFeed.execute({ viewerId: authOf(request).userId, ...page(request.query) });
      return respond(reply, feed, (articles) => articles);
    },
  );

  api.post<{ Body: CreateArticleBody }>(
    '/articles',
    { onRequest: requireAuth, schema: { body: createArticleBody, response: { 201: articleResponse } } },
    async (request, reply) => {
      const { userId } = authOf(request);
      const { title, description, body, tagList } = request.body.article;
      const created = await commands.createArticle.execute({ authorId: userId, title, description, body, tagList });
      if (created.isErr()) return sendDomainError(reply, created.error);
      return sendArticle(reply, created.value.slug, userId, 201);
    },
  );

  api.get<{ Params: SlugParams }>(
    '/articles/:slug',
    { schema: { params: slugParams, response: single } },
    async (request, reply) => sendArticle(reply, request.params.slug, viewerOf(request)),
  );

  api.put<{ Params: SlugParams; Body: UpdateArticleBody }>(
    '/articles/:slug',
    { onRequest: requireAuth, schema: { params: slugParams, body: updateArticleBody, response: single } },
    async (request, reply) => {
      const { userId } = authOf(request);
      const { title, description, body, tagList } = request.body.article;
      const updated = await commands.updateArticle.execute({
        actorId: userId,
        slug: request.params.slug,
        title,
        description,
        body,
        tagList,
      });
      if (updated.isErr()) return sendDomainError(reply, updated.error);
      // A new title gives a new slug: the answer is read under the slug the command returned.
      return sendArticle(reply, updated.value.slug, userId);
    },
  );

  api.delete<{ Params: SlugParams }>(
    '/articles/:slug',
    { onRequest: requireAuth, schema: { params: slugParams } },
    async (request, reply) => {
      const deleted = await commands.deleteArticle.execute({ actorId: authOf(request).userId, slug: request.params.slug });
      return respond(reply, deleted, () => undefined, 204);
    },
  );

  api.post<{ Params: SlugParams }>(
    '/articles/:slug/favorite',
    { onRequest: requireAuth, schema: { params: slugParams, response: single } },
    async (request, reply) => {
      const { userId } = authOf(request);
      const favorited = await commands.favoriteArticle.execute({ userId, slug: request.params.slug });
      if (favorited.isErr()) return sendDomainError(reply, favorited.error);
      return sendArticle(reply, favorited.value.slug, userId);
    },
  );

  api.delete<{ Params: SlugParams }>(
    '/articles/:slug/favorite',
    { onRequest: requireAuth, schema: { params: slugParams, response: single } },
    async (request, reply) => {
      const { userId } = authOf(request);
      const unfavorited = await commands.unfavoriteArticle.execute({ userId, slug: request.params.slug });
      if (unfavorited.isErr()) return sendDomainError(reply, unfavorited.error);
      return sendArticle(reply, unfavorited.value.slug, userId);
    },
  );
}
