import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { errorBody, RETRY_AFTER_S } from './errors.js';

/** When the process counts as overloaded (OVERLOAD_*); 0 turns a measure off. */
export interface OverloadLimits {
  /** Mean event-loop delay over the last sample, in milliseconds. */
  readonly maxEventLoopDelayMs: number;
  /** V8 heap in use, in bytes. */
  readonly maxHeapBytes: number;
  /** How often the measures are taken (default 1 s); tests take them more often. */
  readonly sampleIntervalMs?: number;
}

/** Route config that exempts a route from shedding: the probes (a shed liveness probe would get the pod restarted). */
export const NOT_SHED = { pressureHandler: () => undefined } as const;

/**
 * Sheds load instead of queueing it: while the event loop lags or the heap is beyond its
 * limit, each new request is answered at once with 503, `Retry-After` and a RealWorld
 * error body, so clients back off (and a load balancer retries a read elsewhere) instead
 * of every request timing out together. The check costs two comparisons per request; the
 * measures are sampled on a timer. Requests already running are not affected.
 */
export function shedLoad(app: FastifyInstance, limits: OverloadLimits): void {
  if (limits.maxEventLoopDelayMs <= 0 && limits.maxHeapBytes <= 0) return;
  app.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs,
    maxHeapUsedBytes: limits.maxHeapBytes,
    ...(limits.sampleIntervalMs === undefined ? {} : { sampleInterval: limits.sampleIntervalMs }),
    pressureHandler: (request, reply, type, value) => {
      request.log.warn({ measure: type, value }, 'overloaded: request shed');
      reply.code(503).header('retry-after', String(RETRY_AFTER_S));
      // The plugin sends what the handler returns and ends the request there (returning
      // nothing would let the request through); its types only allow void.
      return errorBody('server', 'is overloaded, retry later') as unknown as void;
    },
  });
}
