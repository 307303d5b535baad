import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * One short line per answered request, `{"reqId","method","url","status","ms","msg":"request"}`,
 * instead of Fastify's two (one on arrival, one on answer, each serialising the request or
 * reply): that halves what logging costs the cheapest endpoints. `sampleRate` below 1 logs
 * only that share of the successful answers; every 4xx and 5xx is logged. Probes are not
 * logged (they arrive every few seconds; a failing readiness check logs why on its own).
 * A plain callback hook: an async one would cost a promise per request.
 */
export function requestLogging(app: FastifyInstance, sampleRate: number): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const status = reply.statusCode;
    if ((status < 400 && sampleRate < 1 && Math.random() >= sampleRate) || request.url.startsWith('/health/') || request.url === '/metrics') return done();
    request.log.info(
      { method: request.method, url: request.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
    done();
  });
}
