import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DependencyUnavailable } from '../../application/shared/errors.js';
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
  'rate-limited': 429,
};

/**
 * A username or email that is already registered is, for the client, a form field to
 * correct, and the spec (and its test suite) answer it with 422 "has already been taken".
 * Other conflicts (a concurrent edit, a duplicate slug the retries could not resolve) are
 * true 409s: retrying later may succeed.
 */
const VALIDATION_CONFLICTS: ReadonlySet<string> = new Set(['USER.USERNAME_TAKEN', 'USER.EMAIL_TAKEN']);

function statusOf(error: DomainError): number {
  if (error.kind === 'conflict' && VALIDATION_CONFLICTS.has(error.code)) return 422;
  return STATUS_BY_KIND[error.kind];
}

/** How long a client should wait before retrying a 503. */
export const RETRY_AFTER_S = 5;

/** 503 in the RealWorld format: a dependency is down, or the process is draining; retry later. */
function sendUnavailable(reply: FastifyReply): FastifyReply {
  reply.header('retry-after', String(RETRY_AFTER_S));
  return sendError(reply, 503, 'server', 'temporarily unavailable, retry later');
}

/** The one place a domain or application error becomes an HTTP answer. */
export function sendDomainError(reply: FastifyReply, error: DomainError): FastifyReply {
  if (error.kind === 'unauthenticated') reply.header('www-authenticate', 'Token');
  if (error.kind === 'rate-limited' && 'retryAfterS' in error && typeof error.retryAfterS === 'number')
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterS))));
  return sendError(reply, statusOf(error), error.field, error.message);
}

/** Raised by the body parsers for a compressed body: Fastify never decompresses one. */
const UNSUPPORTED_ENCODING = 'CONDUIT_UNSUPPORTED_CONTENT_ENCODING';

export function unsupportedEncodingError(): Error {
  return Object.assign(new Error('unsupported Content-Encoding'), { code: UNSUPPORTED_ENCODING, statusCode: 415 });
}

/**
 * Raised for valid JSON that holds a `__proto__` or `constructor.prototype` key: Fastify's
 * parser refuses it (prototype poisoning) with the same error as broken JSON, which would
 * tell the client its JSON is invalid when it is not.
 */
const PROTOTYPE_KEY = 'CONDUIT_PROTOTYPE_KEY';

export function prototypeKeyError(): Error {
  return Object.assign(new Error('prototype key in JSON body'), { code: PROTOTYPE_KEY, statusCode: 400 });
}

/** Raised by the JSON parser for a body whose bytes are not UTF-8 (JSON text is UTF-8; nothing is silently replaced). */
const INVALID_UTF8 = 'CONDUIT_INVALID_UTF8';

export function invalidUtf8Error(): Error {
  return Object.assign(new Error('body is not valid UTF-8'), { code: INVALID_UTF8, statusCode: 400 });
}

/** Answers for errors Fastify raises itself; their own messages are never passed on. */
const FRAMEWORK_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'body', 'is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'body', 'is not valid JSON'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'body', 'must be sent as application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body', 'is too large'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'body', 'does not match its Content-Length'],
  [INVALID_UTF8]: [400, 'body', 'is not valid UTF-8'],
  FST_ERR_BAD_URL: [400, 'url', 'is not a valid URL'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'url', 'is too long'],
  [UNSUPPORTED_ENCODING]: [415, 'body', 'must not be compressed (Content-Encoding is not supported)'],
  [PROTOTYPE_KEY]: [400, 'body', 'must not contain "__proto__" or "constructor.prototype" keys'],
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
  if (error instanceof DependencyUnavailable) {
    request.log.error({ err: error, dependency: error.dependency }, 'dependency unavailable');
    return sendUnavailable(reply);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'server', 'internal error');
}

/** Unknown paths and unsupported methods alike; the URL is not echoed back. */
export function handleNotFound(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'route', 'not found');
}

/** Parse errors Node's HTTP parser raises before any request exists, by its error code. */
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'headers', 'are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request', 'timed out'],
};

/**
 * Fastify's `clientErrorHandler`: the request line or headers could not be parsed (an
 * unknown method, a bad Content-Length, headers over Node's limit), so there is no
 * request, no reply and no hook. The answer is written to the socket by hand, still in the
 * RealWorld format and without echoing anything the client sent, and the socket is closed
 * because the parser cannot tell where the next request would start.
 */
export function handleClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, field, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'request', 'is malformed'];
  this.log.debug({ code: error.code, status }, 'unparsable request refused');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(field, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
