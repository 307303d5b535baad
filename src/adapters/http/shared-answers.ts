import type { FastifyReply } from 'fastify';
import { isSharedAnswer } from '../../application/caching/decoded-entries.js';
import { entityTag } from './http-caching.js';

interface Serialised {
  /** The route that shaped the bytes (the same value may be sent in another envelope elsewhere). */
  readonly route: string;
  readonly payload: Buffer;
  readonly etag: string;
}

/** Bytes per shared value: they live as long as the value, which the read-through cache drops when its entry is out of date. */
const serialised = new WeakMap<object, Serialised>();

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a successful answer. A value the read-through cache shares between the anonymous
 * readers of one entry (frozen, nobody's own fields) is serialised through the route's
 * response schema once; every later answer of that route for it sends the same bytes with
 * their entity tag, skipping serialisation and hashing. Anything else is sent as usual.
 */
export function sendAnswer(reply: FastifyReply, value: unknown, body: (value: never) => unknown, status: number): void {
  reply.code(status);
  const method = reply.request.method;
  if (status !== 200 || !isSharedAnswer(value) || (method !== 'GET' && method !== 'HEAD')) {
    reply.send(body(value as never));
    return;
  }
  const route = reply.request.routeOptions.url ?? reply.request.url;
  let known = serialised.get(value);
  if (known === undefined || known.route !== route) {
    const payload = Buffer.from(reply.serialize(body(value as never)) as string);
    known = { route, payload, etag: entityTag(payload) };
    serialised.set(value, known);
  }
  reply.header('content-type', JSON_TYPE).header('etag', known.etag).send(known.payload);
}
