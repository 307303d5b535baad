import { notFoundError, unauthenticatedError, type NotFoundError, type UnauthenticatedError } from '../../domain/index.js';

export type UserNotFound = NotFoundError<'USER.NOT_FOUND'>;
export type ArticleNotFound = NotFoundError<'ARTICLE.NOT_FOUND'>;
export type CommentNotFound = NotFoundError<'COMMENT.NOT_FOUND'>;
export type UnknownActor = UnauthenticatedError<'AUTH.UNKNOWN_USER'>;

export const userNotFound = (): UserNotFound => notFoundError('USER.NOT_FOUND', 'profile', 'not found');
export const articleNotFound = (): ArticleNotFound => notFoundError('ARTICLE.NOT_FOUND', 'article', 'not found');
export const commentNotFound = (): CommentNotFound => notFoundError('COMMENT.NOT_FOUND', 'comment', 'not found');
/** A valid token whose user no longer exists. */
export const unknownActor = (): UnknownActor =>
  unauthenticatedError('AUTH.UNKNOWN_USER', 'token', 'does not belong to an existing user');
