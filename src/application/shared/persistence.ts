import { conflictError, type ConflictError } from '../../domain/index.js';

/**
 * What a repository's `save` may answer besides success: the database refused the write
 * because of a unique constraint (a concurrent duplicate the domain could not see),
 * because the aggregate changed since it was loaded (optimistic concurrency), or because
 * a row it refers to was deleted since it was loaded (a foreign key). Repositories
 * translate their driver's errors into these; nothing else is returned, anything else is
 * thrown as an infrastructure failure.
 */
export type SaveConflict = ConflictError<
  | 'USER.USERNAME_TAKEN'
  | 'USER.EMAIL_TAKEN'
  | 'ARTICLE.SLUG_TAKEN'
  | 'DUPLICATE'
  | 'CONCURRENT_UPDATE'
  | 'REFERENCE_GONE'
>;

export const concurrentUpdate = (field: string): SaveConflict =>
  conflictError('CONCURRENT_UPDATE', field, 'was changed by another request; reload and try again');
export const slugTaken = (): SaveConflict => conflictError('ARTICLE.SLUG_TAKEN', 'slug', 'has already been taken');
/** A row the write refers to (its article, its user) was deleted meanwhile (a foreign key). */
export const referenceGone = (field: string): SaveConflict =>
  conflictError('REFERENCE_GONE', field, 'refers to something that no longer exists');
export const duplicate = (field: string): SaveConflict => conflictError('DUPLICATE', field, 'already exists');

/**
 * A save's conflict as a command answers it: REFERENCE_GONE (what the write refers to was
 * deleted since it was looked up) becomes the command's own error for that thing (not
 * found, unknown user); every other conflict stands.
 */
export const referenceGoneAs = <E>(error: SaveConflict, gone: () => E): E | SaveConflict =>
  error.code === 'REFERENCE_GONE' ? gone() : error;
