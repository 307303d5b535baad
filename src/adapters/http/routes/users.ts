import { authOf, requireAuth } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { loginBody, registerBody, updateUserBody, userResponse } from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

/** Registration, login and the signed-in user's own account: every answer carries the token to use. */
export function userRoutes(api: TypedApi, { useCases, tokens }: HttpDeps): void {
  const response = (status: number) => ({ [status]: userResponse });

  api.post(
    '/users',
    { config: { ignoresCredentials: true }, schema: { body: registerBody, response: response(201) } },
    async (request, reply) => {
      const { username, email, password } = request.body.user;
      const registered = await useCases.registerUser.execute({ username, email, password });
      return respond(reply, registered, ({ userId, user }) => ({ user: { ...user, token: tokens.issue(userId) } }), 201);
    },
  );

  api.post(
    '/users/login',
    { config: { ignoresCredentials: true }, schema: { body: loginBody, response: response(200) } },
    async (request, reply) => {
      const { email, password } = request.body.user;
      const loggedIn = await useCases.loginUser.execute({ email, password, clientAddress: request.ip });
      return respond(reply, loggedIn, ({ userId, user }) => ({ user: { ...user, token: tokens.issue(userId) } }));
    },
  );

  api.get('/user', { onRequest: requireAuth, schema: { response: response(200) } }, async (request, reply) => {
    const { userId, token } = authOf(request);
    const user = await useCases.getCurrentUser.execute({ userId });
    return respond(reply, user, (view) => ({ user: { ...view, token } }));
  });

  api.put(
    '/user',
    { onRequest: requireAuth, schema: { body: updateUserBody, response: response(200) } },
    async (request, reply) => {
      const { userId, token } = authOf(request);
      // Only the known fields: anything else in the body (a `role`, say) is ignored.
      const { username, email, password, bio, image } = request.body.user;
      const updated = await useCases.updateUser.execute({ userId, username, email, password, bio, image });
      // A new password or e-mail revokes every token issued before it, the presented one
      // included: the answer carries a fresh one (issued after the revocation).
      const revokes = (password !== undefined && password !== '') || email !== undefined;
      return respond(reply, updated, (user) => ({ user: { ...user, token: revokes ? tokens.issue(userId) : token } }));
    },
  );

  // Sign out everywhere: every token of this user issued until now is refused, this one included.
  api.post('/user/logout-all', { onRequest: requireAuth }, async (request, reply) => {
    const { userId } = authOf(request);
    const revoked = await useCases.revokeTokens.execute({ userId });
    return respond(reply, revoked, () => undefined, 204);
  });
}
