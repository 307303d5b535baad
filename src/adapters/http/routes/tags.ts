import type { HttpDeps } from '../http-deps.js';
import { readerOf } from '../auth.js';
import { respond } from '../respond.js';
import { tagsResponse } from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

export function tagRoutes(api: TypedApi, { useCases }: HttpDeps): void {
  api.get('/tags', { schema: { response: { 200: tagsResponse } } }, async (request, reply) =>
    respond(reply, await useCases.getTags.execute({ mayLag: readerOf(request).mayLag }), (tags) => ({ tags })),
  );
}
