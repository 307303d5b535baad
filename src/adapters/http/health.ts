import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ReadinessCheck } from './http-deps.js';

/** A dependency slower than this counts as down: a probe must answer before the prober gives up. */
export const READINESS_TIMEOUT_MS = 2_000;

type CheckOutcome = 'ok' | 'failed' | 'timeout';

async function run(check: ReadinessCheck, timeoutMs: number, log: FastifyBaseLogger): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([check.check().then((): CheckOutcome => 'ok'), timeout]);
    if (outcome === 'timeout') log.warn({ check: check.name, timeoutMs }, 'readiness check timed out');
    return outcome;
  } catch (error) {
    log.warn({ check: check.name, err: error }, 'readiness check failed');
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness says the process serves HTTP at all (restart it otherwise); readiness says its
 * dependencies answer (route traffic elsewhere otherwise). Neither is rate limited or
 * authenticated, and a failing check's reason goes to the log, never to the response.
 */
export function healthRoutes(
  app: FastifyInstance,
  readiness: readonly ReadinessCheck[],
  timeoutMs = READINESS_TIMEOUT_MS,
): void {
  const config = { rateLimit: false };

  app.get('/health/live', { config }, async () => ({ status: 'ok' }));

  app.get('/health/ready', { config }, async (request, reply) => {
    const outcomes = await Promise.all(readiness.map((check) => run(check, timeoutMs, request.log)));
    const checks = Object.fromEntries(readiness.map((check, i) => [check.name, outcomes[i]]));
    const ready = outcomes.every((outcome) => outcome === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
  });
}
