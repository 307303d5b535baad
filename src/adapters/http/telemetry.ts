import type { FastifyInstance } from 'fastify';
import type { HttpTelemetry } from './http-deps.js';

/**
 * The request metric and the metrics endpoint. The metric is taken in `onResponse`, with
 * the route's template (`/api/articles/:slug`), never the URL: a label per slug would grow
 * without bound. Requests no route matched share one label (null here). The hook is the
 * root's, so that it sees every route; the endpoint is registered in a plugin, so that the
 * OpenAPI description (a plugin too) sees it.
 */
export function telemetryRoutes(app: FastifyInstance, telemetry: HttpTelemetry): void {
  const { requestFinished, exposition } = telemetry;
  if (requestFinished)
    app.addHook('onResponse', (request, reply, done) => {
      requestFinished(request.method, request.routeOptions.url ?? null, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  if (exposition)
    app.register(async (instance) => {
      instance.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
        const { contentType, body } = await exposition();
        return reply.type(contentType).header('cache-control', 'no-store').send(body);
      });
    });
}
