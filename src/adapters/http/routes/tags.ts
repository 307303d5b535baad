import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { tagsResponse } from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

export function tagRoutes(api: TypedApi, { useCases }: HttpDeps): void {
  api.get('/tags', { schema: { response: { 200: tagsResponse } } }, async (_request, reply) =>
    respond(reply, await useCases.getTags.execute({}), (tags) => ({ tags })),
  );
}
