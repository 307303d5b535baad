import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { IdempotencyRecord, IdempotencyStore } from '../../application/shared/idempotency.js';
import { sendError } from './errors.js';

/** How the kept answers are protected (src/adapters/security/answer-seal.ts). */
export interface AnswerSealer {
  fingerprint(content: string): string;
  seal(plain: string): string;
  open(sealed: string): string | null;
}

export interface IdempotencyOptions {
  readonly store: IdempotencyStore;
  readonly sealer: AnswerSealer;
  /** How long a key and its answer are kept (and a second use answered from it). */
  readonly ttlSeconds: number;
  /** How long a request waits for another one holding its key before answering 409. */
  readonly waitMs: number;
}

/** Keys as clients and nginx send them: visible ASCII, at most 255 characters (the OpenAPI document says so too). */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);
const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Writes nothing: a second one is as good as the first, so its answer (a token) is never kept. */
const NOT_KEPT: ReadonlySet<string | undefined> = new Set(['/api/users/login']);

/** Whether a route takes an `Idempotency-Key`: every write but login (`url` as the route declares it). */
export const takesIdempotencyKey = (method: string, url: string | undefined): boolean => !READS.has(method) && !NOT_KEPT.has(url);
const POLL_MS = 50;
const SWEEP_EVERY_MS = 10 * 60_000;

interface Held {
  readonly scope: string;
  readonly key: string;
}

/**
 * `Idempotency-Key` on every write of the API: the first request with a key runs and its
 * successful answer is kept (sealed); the same key with the same request again — a client's
 * retry, or nginx replaying a write that a stopping replica dropped — gets that answer,
 * marked `Idempotent-Replayed: true`, and the write does not run twice. A failed write
 * wrote nothing, so its key is released and may run again. The same key for a different
 * request is refused (422); a key whose first request is still running makes the second
 * wait for its answer, up to `waitMs`, then 409 with Retry-After.
 *
 * Hooks run after authentication and validation: the key is scoped to the user (or to
 * anonymous requests), and a request refused by validation claims nothing.
 */
export function idempotentWrites(api: FastifyInstance, options: IdempotencyOptions, logger: Logger): void {
  const held = new WeakMap<FastifyRequest, Held>();
  let nextSweep = 0;

  const sweepNow = () => {
    if (Date.now() < nextSweep) return;
    nextSweep = Date.now() + SWEEP_EVERY_MS;
    options.store
      .sweep(options.ttlSeconds)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not sweep expired idempotency keys'));
  };

  api.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    if (header === undefined || !takesIdempotencyKey(request.method, request.routeOptions.url)) return;
    if (typeof header !== 'string' || !KEY.test(header))
      return sendError(reply, 400, 'Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
    sweepNow();
    const scope = request.auth?.userId ?? 'anonymous';
    const fingerprint = options.sealer.fingerprint(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`);
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      const claim = await options.store.claim(scope, header, fingerprint, options.ttlSeconds);
      if (claim.kind === 'claimed') {
        held.set(request, { scope, key: header });
        return;
      }
      let record: IdempotencyRecord | null = claim.record;
      // Another request holds the key: wait for its answer (or its release).
      while (record !== null && record.status === null && record.fingerprint === fingerprint && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        record = await options.store.find(scope, header, options.ttlSeconds);
      }
      if (record === null) continue;
      return replay(reply, record, fingerprint, options.sealer);
    }
  });

  api.addHook('onSend', async (request, reply, payload) => {
    const claim = held.get(request);
    if (claim === undefined) return payload;
    held.delete(request);
    const { scope, key } = claim;
    try {
      if (reply.statusCode >= 200 && reply.statusCode < 300) {
        const body = typeof payload === 'string' ? payload : '';
        await options.store.complete(scope, key, reply.statusCode, options.sealer.seal(body));
      } else await options.store.release(scope, key);
    } catch (error) {
      // The write's own answer still goes out; the key stays claimed, so a second use waits
      // and then gets 409 rather than running the write again.
      logger.warn({ err: error }, 'could not record the answer of an idempotency key');
    }
    return payload;
  });
}

function replay(reply: FastifyReply, record: IdempotencyRecord, fingerprint: string, sealer: AnswerSealer): FastifyReply {
  if (record.fingerprint !== fingerprint) return sendError(reply, 422, 'Idempotency-Key', 'was already used for a different request');
  const answer = record.status === null || record.answer === null ? null : sealer.open(record.answer);
  if (record.status === null || answer === null) {
    reply.header('retry-after', '1');
    return sendError(reply, 409, 'Idempotency-Key', 'belongs to a request whose answer is not known yet');
  }
  reply.code(record.status).header('idempotent-replayed', 'true');
  if (answer === '') return reply.send();
  return reply.type('application/json; charset=utf-8').send(answer);
}
