import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { tagsResponse } from '../schemas.js';

export function tagRoutes(api: FastifyInstance, { queries }: HttpDeps): void {
  api.get('/tags', { schema: { response: { 200: tagsResponse } } }, async (_request, reply) =>
    respond(reply, await queries.getTags.execute(), (tags) => ({ tags })),
  );
}
