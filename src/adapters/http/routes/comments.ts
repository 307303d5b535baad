import type { FastifyInstance } from 'fastify';
import { authOf, requireAuth, viewerOf } from '../auth.js';
import { sendDomainError } from '../errors.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import {
  addCommentBody,
  commentParams,
  commentResponse,
  commentsResponse,
  slugParams,
  type AddCommentBody,
  type CommentParams,
  type SlugParams,
} from '../schemas.js';

/** Comments of an article. Adding one answers 200 with the comment, as the OpenAPI document says. */
export function commentRoutes(api: FastifyInstance, { commands, queries }: HttpDeps): void {
  api.get<{ Params: SlugParams }>(
    '/articles/:slug/comments',
    { schema: { params: slugParams, response: { 200: commentsResponse } } },
    async (request, reply) => {
      const listed = await queries.listComments.execute({ slug: request.params.slug, viewerId: viewerOf(request) });
      return respond(reply, listed, (comments) => ({ comments }));
    },
  );

  api.post<{ Params: SlugParams; Body: AddCommentBody }>(
    '/articles/:slug/comments',
    { onRequest: requireAuth, schema: { params: slugParams, body: addCommentBody, response: { 200: commentResponse } } },
    async (request, reply) => {
      const { userId } = authOf(request);
      const added = await commands.addComment.execute({
        authorId: userId,
        slug: request.params.slug,
        body: request.body.comment.body,
      });
      if (added.isErr()) return sendDomainError(reply, added.error);
      const comment = await queries.getComment.execute({ commentId: added.value.commentId, viewerId: userId });
      return respond(reply, comment, (view) => ({ comment: view }));
    },
  );

  api.delete<{ Params: CommentParams }>(
    '/articles/:slug/comments/:id',
    { onRequest: requireAuth, schema: { params: commentParams } },
    async (request, reply) => {
      const deleted = await commands.deleteComment.execute({
        actorId: authOf(request).userId,
        slug: request.params.slug,
        commentId: request.params.id,
      });
      return respond(reply, deleted, () => undefined, 204);
    },
  );
}
