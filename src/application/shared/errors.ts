import { notFoundError, unauthenticatedError, type NotFoundError, type UnauthenticatedError } from '../../domain/index.js';

export type UserNotFound = NotFoundError<'USER.NOT_FOUND'>;
export type ArticleNotFound = NotFoundError<'ARTICLE.NOT_FOUND'>;
export type CommentNotFound = NotFoundError<'COMMENT.NOT_FOUND'>;
export type UnknownActor = UnauthenticatedError<'AUTH.UNKNOWN_USER'>;
export type TokenRevoked = UnauthenticatedError<'AUTH.TOKEN_REVOKED'>;

export const userNotFound = (): UserNotFound => notFoundError('USER.NOT_FOUND', 'profile', 'not found');
export const articleNotFound = (): ArticleNotFound => notFoundError('ARTICLE.NOT_FOUND', 'article', 'not found');
export const commentNotFound = (): CommentNotFound => notFoundError('COMMENT.NOT_FOUND', 'comment', 'not found');
/** A valid token whose user no longer exists. */
export const unknownActor = (): UnknownActor =>
  unauthenticatedError('AUTH.UNKNOWN_USER', 'token', 'does not belong to an existing user');
/** A valid token issued before its user's last revocation (password or e-mail change, sign-out everywhere). */
export const tokenRevoked = (): TokenRevoked => unauthenticatedError('AUTH.TOKEN_REVOKED', 'token', 'has been revoked');

/**
 * Thrown by an adapter whose dependency (database, read store, cache, broker) cannot be
 * reached or answered too slowly: an outage, not a bug. Adapters translate their drivers'
 * failures into it, so nothing above them knows a driver's error codes or class names;
 * the HTTP adapter answers it with 503 and Retry-After.
 */
export class DependencyUnavailable extends Error {
  override readonly name: string = 'DependencyUnavailable';

  constructor(
    /** Which dependency: 'database', 'read-store', 'cache', 'broker'. */
    readonly dependency: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${dependency} is unavailable`, options);
  }
}
