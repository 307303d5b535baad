import type { FastifyReply } from 'fastify';
import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';
import { sendDomainError } from './errors.js';

/** Sends a handler's answer: the success shaped by `body`, or the error through the one mapper. */
export function respond<T>(
  reply: FastifyReply,
  result: Result<T, DomainError>,
  body: (value: T) => unknown,
  status = 200,
): FastifyReply {
  return result.isOk() ? reply.code(status).send(body(result.value)) : sendDomainError(reply, result.error);
}
