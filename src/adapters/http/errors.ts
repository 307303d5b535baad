import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError, ErrorKind } from '../../domain/index.js';
import { describeValidation } from './validation.js';

/** The RealWorld error body: every problem keyed by the field it is about. */
export interface ErrorBody {
  readonly errors: Record<string, string[]>;
}

export const errorBody = (field: string, message: string): ErrorBody => ({ errors: { [field]: [message] } });

export function sendError(reply: FastifyReply, status: number, field: string, message: string): FastifyReply {
  return reply.code(status).send(errorBody(field, message));
}

const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 422,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
};

/**
 * A username or email that is already registered is, for the client, a form field to
 * correct, and the spec (and its test suite) answer it with 422 "has already been taken".
 * Other conflicts (a concurrent edit, a duplicate slug the retries could not resolve) are
 * true 409s: retrying later may succeed.
 */
const VALIDATION_CONFLICTS: ReadonlySet<string> = new Set(['USER.USERNAME_TAKEN', 'USER.EMAIL_TAKEN']);

export function statusOf(error: DomainError): number {
  if (error.kind === 'conflict' && VALIDATION_CONFLICTS.has(error.code)) return 422;
  return STATUS_BY_KIND[error.kind];
}

/** The one place a domain or application error becomes an HTTP answer. */
export function sendDomainError(reply: FastifyReply, error: DomainError): FastifyReply {
  if (error.kind === 'unauthenticated') reply.header('www-authenticate', 'Token');
  return sendError(reply, statusOf(error), error.field, error.message);
}

/** Answers for errors Fastify raises itself; their own messages are never passed on. */
const FRAMEWORK_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'body', 'is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'body', 'is not valid JSON'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'body', 'must be sent as application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body', 'is too large'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'body', 'does not match its Content-Length'],
  FST_ERR_BAD_URL: [400, 'url', 'is not a valid URL'],
};

const GENERIC_CLIENT_ERRORS: Readonly<Record<number, string>> = {
  400: 'is malformed',
  404: 'not found',
  405: 'method not allowed',
  408: 'timed out',
  413: 'is too large',
  415: 'has an unsupported content type',
  429: 'too many requests, retry later',
};

/**
 * Error codes (Node's and drivers') that mean a dependency is unreachable, not that the
 * code is wrong: those answer 503 so load balancers and clients retry elsewhere or later.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // PostgreSQL admin_shutdown
  '57P03', // PostgreSQL cannot_connect_now
  '53300', // PostgreSQL too_many_connections
]);
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  'ConnectionException',
  'MongoNetworkError',
  'MongoServerSelectionError',
  'TimeoutError',
]);

function isUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
  return isUnavailable(cause, depth + 1);
}

/**
 * Fastify's error handler. Validation failures become 422 naming the field; framework
 * errors get fixed answers; anything else is a bug or an outage, logged in full with the
 * request id (the log binding) while the client only ever sees a fixed sentence.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    const { field, message } = describeValidation(error.validation, error.validationContext);
    return sendError(reply, 422, field, message);
  }
  const known = FRAMEWORK_ERRORS[error.code];
  if (known) return sendError(reply, known[0], known[1], known[2]);

  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    request.log.info({ code: error.code, status }, 'request refused');
    return sendError(reply, status, 'request', GENERIC_CLIENT_ERRORS[status] ?? 'is invalid');
  }
  if (isUnavailable(error)) {
    request.log.error({ err: error }, 'dependency unavailable');
    reply.header('retry-after', '5');
    return sendError(reply, 503, 'server', 'temporarily unavailable, retry later');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'server', 'internal error');
}

/** Unknown paths and unsupported methods alike; the URL is not echoed back. */
export function handleNotFound(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'route', 'not found');
}
