import type { FastifyInstance, FastifyReply } from 'fastify';
import { authOf, requireAuth } from '../auth.js';
import { sendDomainError } from '../errors.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import {
  loginBody,
  registerBody,
  updateUserBody,
  userResponse,
  type LoginBody,
  type RegisterBody,
  type UpdateUserBody,
} from '../schemas.js';

/** Registration, login and the signed-in user's own account. */
export function userRoutes(api: FastifyInstance, { commands, queries, tokens }: HttpDeps): void {
  /** Every user answer is read back through the query side, then given the token. */
  const sendUser = async (reply: FastifyReply, userId: string, token: string, status = 200) =>
    respond(reply, await queries.getCurrentUser.execute({ userId }), (user) => ({ user: { ...user, token } }), status);

  const response = (status: number) => ({ [status]: userResponse });

  api.post<{ Body: RegisterBody }>(
    '/users',
    { config: { ignoresCredentials: true }, schema: { body: registerBody, response: response(201) } },
    async (request, reply) => {
      const { username, email, password } = request.body.user;
      const registered = await commands.registerUser.execute({ username, email, password });
      if (registered.isErr()) return sendDomainError(reply, registered.error);
      const { userId } = registered.value;
      return sendUser(reply, userId, tokens.issue(userId), 201);
    },
  );

  api.post<{ Body: LoginBody }>(
    '/users/login',
    { config: { ignoresCredentials: true }, schema: { body: loginBody, response: response(200) } },
    async (request, reply) => {
      const { email, password } = request.body.user;
      const loggedIn = await commands.loginUser.execute({ email, password });
      if (loggedIn.isErr()) return sendDomainError(reply, loggedIn.error);
      const { userId } = loggedIn.value;
      return sendUser(reply, userId, tokens.issue(userId));
    },
  );

  api.get('/user', { onRequest: requireAuth, schema: { response: response(200) } }, async (request, reply) => {
    const { userId, token } = authOf(request);
    return sendUser(reply, userId, token);
  });

  api.put<{ Body: UpdateUserBody }>(
    '/user',
    { onRequest: requireAuth, schema: { body: updateUserBody, response: response(200) } },
    async (request, reply) => {
      const { userId, token } = authOf(request);
      const { username, email, password, bio, image } = request.body.user;
      const updated = await commands.updateUser.execute({ userId, username, email, password, bio, image });
      if (updated.isErr()) return sendDomainError(reply, updated.error);
      return sendUser(reply, userId, token);
    },
  );
}
