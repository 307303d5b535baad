import { authOf, readerOf, requireAuth } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { addCommentBody, commentParams, commentResponse, commentsResponse, slugParams } from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

/** Comments of an article. Adding one answers 200 with the comment, as the OpenAPI document says. */
export function commentRoutes(api: TypedApi, { useCases }: HttpDeps): void {
  api.get(
    '/articles/:slug/comments',
    { schema: { params: slugParams, response: { 200: commentsResponse } } },
    async (request, reply) => {
      const listed = await useCases.listComments.execute({ slug: request.params.slug, ...readerOf(request) });
      return respond(reply, listed, (comments) => ({ comments }));
    },
  );

  api.post(
    '/articles/:slug/comments',
    { onRequest: requireAuth, schema: { params: slugParams, body: addCommentBody, response: { 200: commentResponse } } },
    async (request, reply) => {
      const added = await useCases.addComment.execute({
        authorId: authOf(request).userId,
        slug: request.params.slug,
        body: request.body.comment.body,
      });
      return respond(reply, added, (comment) => ({ comment }));
    },
  );

  api.delete(
    '/articles/:slug/comments/:id',
    { onRequest: requireAuth, schema: { params: commentParams } },
    async (request, reply) => {
      const deleted = await useCases.deleteComment.execute({
        actorId: authOf(request).userId,
        slug: request.params.slug,
        commentId: request.params.id,
      });
      return respond(reply, deleted, () => undefined, 204);
    },
  );
}
