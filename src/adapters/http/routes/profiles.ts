import type { FastifyInstance, FastifyReply } from 'fastify';
import { authOf, requireAuth, viewerOf } from '../auth.js';
import { sendDomainError } from '../errors.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { profileResponse, usernameParams, type UsernameParams } from '../schemas.js';

/** Profiles, and following them (idempotent both ways). */
export function profileRoutes(api: FastifyInstance, { commands, queries }: HttpDeps): void {
  const sendProfile = async (reply: FastifyReply, username: string, viewerId: string | undefined) =>
    respond(reply, await queries.getProfile.execute({ username, viewerId }), (profile) => ({ profile }));

  const schema = { params: usernameParams, response: { 200: profileResponse } };

  api.get<{ Params: UsernameParams }>('/profiles/:username', { schema }, async (request, reply) =>
    sendProfile(reply, request.params.username, viewerOf(request)),
  );

  api.post<{ Params: UsernameParams }>(
    '/profiles/:username/follow',
    { onRequest: requireAuth, schema },
    async (request, reply) => {
      const { userId } = authOf(request);
      const { username } = request.params;
      const followed = await commands.followUser.execute({ followerId: userId, username });
      if (followed.isErr()) return sendDomainError(reply, followed.error);
      return sendProfile(reply, username, userId);
    },
  );

  api.delete<{ Params: UsernameParams }>(
    '/profiles/:username/follow',
    { onRequest: requireAuth, schema },
    async (request, reply) => {
      const { userId } = authOf(request);
      const { username } = request.params;
      const unfollowed = await commands.unfollowUser.execute({ followerId: userId, username });
      if (unfollowed.isErr()) return sendDomainError(reply, unfollowed.error);
      return sendProfile(reply, username, userId);
    },
  );
}
