import type { FastifyReply } from 'fastify';
import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';
import { sendDomainError } from './errors.js';
import { sendAnswer } from './shared-answers.js';

/**
 * Sends a use case's answer — the success shaped by `body`, or the error through the one
 * mapper — and answers the reply, whatever type provider typed it (shared-answers.ts sends
 * the bytes of a cached anonymous answer without serialising it again).
 */
export function respond<R, T>(reply: R, result: Result<T, DomainError>, body: (value: T) => unknown, status = 200): R {
  const sent = reply as unknown as FastifyReply;
  if (result.isOk()) sendAnswer(sent, result.value, body as (value: never) => unknown, status);
  else sendDomainError(sent, result.error);
  return reply;
}
