import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Role } from '../../domain/index.js';
import type { CredentialVerifier } from '../security/credential-verifier.js';
import type { TokenRejection } from '../security/oidc/token-rejection.js';
import type { TokenProblem, TokenService } from '../security/token-service.js';
import { RETRY_AFTER_S, sendDomainError, sendError } from './errors.js';
import type { HttpDeps } from './http-deps.js';

/** Who sent the request, when it carried a valid token. */
export interface Authenticated {
  readonly userId: string;
  readonly role: Role;
  /** The token as presented: GET/PUT /user hand it back unchanged. */
  readonly token: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route never looks at credentials (register, login): a stale token that a front
     * end attaches to every request must not lock its user out of signing in again.
     */
    ignoresCredentials?: boolean;
  }
  interface FastifyRequest {
    /** Set by `authenticate` for every /api request; null means anonymous. */
    auth: Authenticated | null;
  }
}

/** `Token <jwt>` is RealWorld's scheme; `Bearer <jwt>` is accepted for standard clients. */
const AUTHORIZATION = /^(?:Token|Bearer) +([A-Za-z0-9_.~+/=-]+) *$/i;
/** Far above any token this service issues; longer values are refused before any crypto. */
const TOKEN_MAX = 2048;
/** With an OpenID provider: its access tokens run to a few kilobytes (MAX_ACCESS_TOKEN_LENGTH). */
const PROVIDER_TOKEN_MAX = 8192;

/** Access tokens of an OpenID provider, accepted beside this service's own (from OIDC_*). */
export interface OidcAuthentication {
  /** Routes each token to the own token service or to the provider's verifier. */
  readonly credentials: CredentialVerifier;
  /** OIDC_ROLES_CLAIM is set: the token's roles decide the user's role. */
  readonly managesRoles: boolean;
}

const PROBLEM_MESSAGES: Readonly<Record<TokenProblem, string>> = {
  malformed: 'is malformed',
  expired: 'has expired',
  invalid: 'is invalid',
};

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply.header('www-authenticate', 'Token'), 401, 'token', message);
}

/** A provider token refused (401), or one that cannot be checked while the provider's keys are out of reach (503). */
function refused(reply: FastifyReply, rejection: TokenRejection): FastifyReply {
  if (rejection.kind === 'unavailable')
    return sendError(reply.header('retry-after', String(RETRY_AFTER_S)), 503, 'token', rejection.message);
  return unauthorized(reply, rejection.message);
}

/**
 * Reads the Authorization header of every API request. No header means anonymous; a
 * header that is present but unusable is refused with 401 on every route, including the
 * ones where authentication is optional: silently treating a bad token as anonymous would
 * hide expired sessions from clients (they would see `following: false` everywhere).
 */
export function authenticate(
  tokens: TokenService,
  useCases: HttpDeps['useCases'],
  oidc?: OidcAuthentication,
): onRequestAsyncHookHandler {
  const max = oidc === undefined ? TOKEN_MAX : PROVIDER_TOKEN_MAX;
  const inFlight = new Map<string, ReturnType<HttpDeps['useCases']['provisionExternalUser']['execute']>>();
  return async (request, reply) => {
    const header = request.headers.authorization;
    if (header === undefined || request.routeOptions.config.ignoresCredentials === true) return;
    const match = header.length <= max + 16 ? AUTHORIZATION.exec(header) : null;
    const token = match?.[1];
    if (token === undefined) return unauthorized(reply, PROBLEM_MESSAGES.malformed);
    let userId: string;
    let issuedAtMs: number;
    if (oidc === undefined) {
      const verified = tokens.verify(token);
      if (!verified.ok) return unauthorized(reply, PROBLEM_MESSAGES[verified.problem]);
      ({ userId, issuedAtMs } = verified.claims);
    } else {
      const verified = await oidc.credentials.verify(token);
      if (verified.isErr()) return refused(reply, verified.error);
      const credential = verified.value;
      if (credential.kind === 'own') ({ userId, issuedAtMs } = credential.claims);
      else {
        // The provider vouched for the identity: its local user, created on its first request.
        const { issuer, subject, email, emailVerified, preferredUsername, roles } = credential.identity;
        // Concurrent first requests of one identity in this process share one provisioning,
        // so none of them answers before the new user is projected (read-your-writes).
        const key = JSON.stringify([issuer, subject]);
        let provisioning = inFlight.get(key);
        if (provisioning === undefined) {
          provisioning = useCases.provisionExternalUser
            .execute({ issuer, subject, email, emailVerified, preferredUsername, roles: oidc.managesRoles ? roles : undefined })
            .finally(() => inFlight.delete(key));
          inFlight.set(key, provisioning);
        }
        const linked = await provisioning;
        if (linked.isErr()) return sendDomainError(reply, linked.error);
        userId = linked.value.userId;
        issuedAtMs = credential.issuedAtMs;
      }
    }
    // A valid signature is not enough: the user must still exist (deleted users, tokens of
    // another deployment sharing the secret) — checked against the write model.
    const actor = await useCases.authenticate.execute({ userId, issuedAtMs });
    // A revoked token says so (the client should sign in again); an unknown user's token is just invalid.
    if (actor.isErr())
      return unauthorized(reply, actor.error.code === 'AUTH.TOKEN_REVOKED' ? actor.error.message : PROBLEM_MESSAGES.invalid);
    request.auth = { userId, role: actor.value.role, token };
  };
}

/**
 * Whom a request counts against in the rate limit, decided before authentication runs
 * (the limit refuses early): the user of a token whose signature and lifetime check out,
 * else the client address. Only the token is checked here, not that its user still
 * exists, so the limit never waits on the write model; a forged or expired token counts
 * against the address it came from.
 */
export function rateLimitKey(tokens: TokenService): (request: FastifyRequest) => string {
  return (request) => {
    const header = request.headers.authorization;
    const token = header !== undefined && header.length <= TOKEN_MAX + 16 ? AUTHORIZATION.exec(header)?.[1] : undefined;
    const verified = token === undefined ? undefined : tokens.verify(token);
    return verified?.ok === true ? `user:${verified.claims.userId}` : `ip:${request.ip}`;
  };
}

/** Route hook for endpoints that need a signed-in user; runs after `authenticate`. */
export const requireAuth: onRequestAsyncHookHandler = async (request, reply) => {
  if (request.auth === null) return unauthorized(reply, 'is missing');
};

/** The signed-in user of a route guarded by `requireAuth`. */
export function authOf(request: FastifyRequest): Authenticated {
  if (request.auth === null) throw new Error(`route ${request.routeOptions.url ?? '?'} is missing requireAuth`);
  return request.auth;
}

/**
 * The reader of an optional-auth route: the viewer (for personalised fields), and whether
 * the cache may validate the answer against this process's copies of stamps, which can lag
 * behind a write made through another replica by at most a second (ReadFreshness). Only an
 * anonymous reader may: it can be nobody's writer, and its answer is public anyway (shared
 * caches may keep it `s-maxage`). A signed-in reader may be the writer: always current.
 */
export const readerOf = (request: FastifyRequest): { viewerId: string | undefined; mayLag: boolean } => ({
  viewerId: request.auth?.userId,
  mayLag: request.auth === null,
});
