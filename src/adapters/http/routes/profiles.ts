import { authOf, readerOf, requireAuth } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { profileResponse, usernameParams } from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

const profile = <T>(view: T) => ({ profile: view });

/** Profiles, and following them (idempotent both ways). */
export function profileRoutes(api: TypedApi, { useCases }: HttpDeps): void {
  const schema = { params: usernameParams, response: { 200: profileResponse } };

  api.get('/profiles/:username', { schema }, async (request, reply) => {
    const found = await useCases.getProfile.execute({ username: request.params.username, ...readerOf(request) });
    return respond(reply, found, profile);
  });

  for (const [method, following] of [
    ['post', true],
    ['delete', false],
  ] as const) {
    api[method]('/profiles/:username/follow', { onRequest: requireAuth, schema }, async (request, reply) => {
      const { username } = request.params;
      const result = await useCases.setFollowing.execute({ followerId: authOf(request).userId, username, following });
      return respond(reply, result, profile);
    });
  }
}
