/**
 * Errors are values. Every error the domain or the application can return has a stable
 * `code` (for logs, clients and tests), a `kind` (which the HTTP adapter alone maps to a
 * status code) and the `field` it is about (the key of the RealWorld error body).
 */
export type ErrorKind = 'validation' | 'not-found' | 'forbidden' | 'conflict' | 'unauthenticated' | 'rate-limited';

export interface DomainError<K extends ErrorKind = ErrorKind, C extends string = string> {
  readonly kind: K;
  readonly code: C;
  readonly field: string;
  readonly message: string;
}

export type ValidationError<C extends string = string> = DomainError<'validation', C>;
export type NotFoundError<C extends string = string> = DomainError<'not-found', C>;
export type ForbiddenError<C extends string = string> = DomainError<'forbidden', C>;
export type ConflictError<C extends string = string> = DomainError<'conflict', C>;
export type UnauthenticatedError<C extends string = string> = DomainError<'unauthenticated', C>;
/** Refused for now, not for good: the client may try again after `retryAfterS` seconds. */
export interface RateLimitedError<C extends string = string> extends DomainError<'rate-limited', C> {
  readonly retryAfterS: number;
}

const make =
  <K extends ErrorKind>(kind: K) =>
  <C extends string>(code: C, field: string, message: string): DomainError<K, C> =>
    Object.freeze({ kind, code, field, message });

export const validationError = make('validation');
export const notFoundError = make('not-found');
export const forbiddenError = make('forbidden');
export const conflictError = make('conflict');
export const unauthenticatedError = make('unauthenticated');
export const rateLimitedError = <C extends string>(
  code: C,
  field: string,
  message: string,
  retryAfterS: number,
): RateLimitedError<C> => Object.freeze({ kind: 'rate-limited', code, field, message, retryAfterS });
