import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  errorCodes,
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type onSendHookHandler,
} from 'fastify';
import { authenticate } from './auth.js';
import { handleError, handleNotFound } from './errors.js';
import { healthRoutes } from './health.js';
import type { HttpDeps, HttpOptions } from './http-deps.js';
import { articleRoutes } from './routes/articles.js';
import { commentRoutes } from './routes/comments.js';
import { profileRoutes } from './routes/profiles.js';
import { tagRoutes } from './routes/tags.js';
import { userRoutes } from './routes/users.js';
import { createValidatorCompiler } from './validation.js';

/** A request id from a proxy is kept only if it is short and plain (it ends up in every log line). */
const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Credentials in request logs are replaced, whatever the logger handed in was configured with. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'body.user.password',
  'user.password',
  '*.password',
  '*.passwordHash',
  '*.token',
];

/**
 * The HTTP adapter: RealWorld's routes under /api plus health probes, on Fastify. It
 * knows handlers, the token service and options, and nothing of storage.
 *
 * Order matters and is fixed here: CORS answers preflights and decorates every answer
 * (errors included, or browsers could not read them), then the rate limit refuses early,
 * then the API's own hooks (authentication) run.
 */
export function buildHttpApp(deps: HttpDeps) {
  const { options } = deps;
  const logger: FastifyBaseLogger = deps.logger.child({}, { redact: { paths: REDACTED, censor: '[redacted]' } });

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    requestIdHeader: false,
    genReqId: requestId,
    // Probes arrive every few seconds; logging each would drown the requests that matter.
    // A failing readiness check still logs why.
    logController: new LogController({ disableRequestLogging: (request) => request.url.startsWith('/health/') }),
    // Node's default lets a slow client hold a socket for minutes while it trickles a body.
    requestTimeout: 30_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  });

  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  acceptJsonOnly(app);
  app.addHook('onSend', securityHeaders);

  app.register(cors, corsOptions(options));
  if (options.rateLimitPerMinute > 0) {
    app.register(rateLimit, { max: options.rateLimitPerMinute, timeWindow: 60_000, hook: 'onRequest' });
  }
  app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(deps.tokens));
      api.decorateRequest('auth', null);
      userRoutes(api, deps);
      profileRoutes(api, deps);
      articleRoutes(api, deps);
      commentRoutes(api, deps);
      tagRoutes(api, deps);
    },
    { prefix: '/api' },
  );
  healthRoutes(app, deps.readiness);
  return app;
}

/**
 * Headers for a JSON API that no browser should ever render, frame or cache. A plain
 * callback hook: it runs on every answer, and an async one would cost a promise each time.
 */
const securityHeaders: onSendHookHandler = (request, reply, payload, done) => {
  reply.header('x-request-id', request.id);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  // Only meaningful over TLS; behind nginx the protocol comes from X-Forwarded-Proto (trustProxy).
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  // Answers are personalised (favorited, following): no shared cache may keep them.
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  done(null, payload);
};

function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function corsOptions(options: HttpOptions) {
  return {
    origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Requested-With'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    // Tokens travel in a header, never in cookies, so no credentialed CORS is needed.
    credentials: false,
    maxAge: 600,
  };
}

/**
 * JSON is the only request format. An empty body is "no body" whatever its declared type:
 * clients (the RealWorld suite among them) send `Content-Type: application/json` on
 * GET, DELETE and POST …/favorite without a body. A non-empty body of another type is 415.
 */
function acceptJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim().length === 0) return done(null, undefined);
    parseJson(request, text, done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
}
