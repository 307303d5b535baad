import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';

/** When the deployment sets no `s-maxage`: a CDN may keep an anonymous answer one second. */
const DEFAULT_SHARED_MAX_AGE_S = 1;

/**
 * HTTP caching of successful GET answers of the API:
 *
 * - `ETag`: a hash of the body as sent, so equal bodies have equal tags whoever asked
 *   and different bodies (one viewer's `favorited` against another's) never share one;
 *   `If-None-Match` naming it gets `304` with no body.
 * - `Cache-Control`: anonymous answers are the same for everyone, so a shared cache may
 *   keep them `s-maxage` seconds (browsers revalidate: `max-age=0`); answers to a request
 *   with credentials carry the viewer's own fields: `private, no-cache`, never in a shared
 *   cache, revalidated by the browser every time.
 * - `Vary: Authorization`: a cache that does keep an answer keeps it per credentials.
 *
 * Anything else (writes, errors, 304s already decided) keeps the `no-store` every answer
 * gets by default. Written here rather than with @fastify/etag, which also answers 304 to
 * POST and PUT, and to errors, and ignores lists of tags in `If-None-Match`.
 */
export function httpCaching(sharedMaxAgeS = DEFAULT_SHARED_MAX_AGE_S): onSendHookHandler {
  const anonymous = `public, max-age=0, s-maxage=${Math.max(0, Math.floor(sharedMaxAgeS))}`;
  return (request, reply, payload, done) => {
    if (!cacheable(request, reply) || !(typeof payload === 'string' || Buffer.isBuffer(payload))) {
      done(null, payload);
      return;
    }
    // Set already when the bytes were serialised once for a shared answer (shared-answers.ts).
    const known = reply.getHeader('etag');
    const etag = typeof known === 'string' ? known : entityTag(payload);
    reply.header('etag', etag);
    reply.header('cache-control', request.headers.authorization === undefined ? anonymous : 'private, no-cache');
    addVary(reply, 'Authorization');
    if (matches(request.headers['if-none-match'], etag)) {
      reply.code(304);
      done(null, '');
      return;
    }
    done(null, payload);
  };
}

/** The entity tag of a body: a hash of its bytes. */
export function entityTag(payload: string | Buffer): string {
  return `"${hash('sha1', payload, 'base64url')}"`;
}

function cacheable(request: FastifyRequest, reply: FastifyReply): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode === 200;
}

/** `If-None-Match: *`, or a list of entity tags; the comparison is weak (RFC 9110 §13.1.2), so `W/"x"` matches `"x"`. */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  const listed = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (listed.includes('*') || listed.some((name) => name.toLowerCase() === field.toLowerCase())) return;
  reply.header('vary', [...listed, field].join(', '));
}
