import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Fastify, {
  errorCodes,
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type onSendHookHandler,
} from 'fastify';
import { authenticate, rateLimitKey } from './auth.js';
import {
  errorBody,
  handleClientError,
  handleError,
  handleNotFound,
  invalidUtf8Error,
  prototypeKeyError,
  unsupportedEncodingError,
} from './errors.js';
import { healthRoutes, type HealthState } from './health.js';
import { httpCaching } from './http-caching.js';
import type { HttpDeps, HttpOptions } from './http-deps.js';
import { idempotentWrites } from './idempotency.js';
import { telemetryRoutes } from './telemetry.js';
import { articleRoutes } from './routes/articles.js';
import { commentRoutes } from './routes/comments.js';
import { notificationRoutes } from './routes/notifications.js';
import { profileRoutes } from './routes/profiles.js';
import { tagRoutes } from './routes/tags.js';
import { userRoutes } from './routes/users.js';
import { describeApi } from './openapi.js';
import { shedLoad } from './overload.js';
import { requestLogging } from './request-log.js';
import { applySecurityHeaders } from './security-headers.js';
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
export function buildHttpApp(deps: HttpDeps, lifecycle: HealthState = { draining: () => false }) {
  const { options } = deps;
  const logger: FastifyBaseLogger = deps.logger.child({}, { redact: { paths: REDACTED, censor: '[redacted]' } });

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    requestIdHeader: false,
    genReqId: requestId,
    // Fastify's two lines per request are replaced by one leaner line (request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // Node's default lets a slow client hold a socket for minutes while it trickles a body.
    requestTimeout: 30_000,
    // Once closing, a request that still arrives on an open connection is served, not
    // refused with 503: the shutdown drains first, so such a request is one already on its way.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Errors raised before routing (undecodable URL, over-long parameter) and before a
    // request exists at all (unparsable request line or headers) answer in the RealWorld
    // format too, instead of Fastify's and Node's own bodies.
    frameworkErrors: frameworkErrorHandler(options.corsOrigins),
    clientErrorHandler: handleClientError,
    // HTTPS through a server factory keeps the app's types those of a plain HTTP server:
    // requests and replies are the same objects, only the socket is TLS.
    ...(options.tls !== undefined && {
      serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
        createHttpsServer({ ...options.tls }, handler) as unknown as Server,
    }),
  });

  // First: it records every route registered after it, for the OpenAPI description.
  describeApi(app);
  deps.telemetry?.trace?.(app);
  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  acceptJsonOnly(app);
  app.addHook('onSend', securityHeaders);
  // While draining, every answer asks the client to reconnect (to a replica that stays).
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.draining()) reply.header('connection', 'close');
    done(null, payload);
  });
  answerExpectationsInFormat(app);
  requestLogging(app, options.requestLogSampleRate ?? 1);

  app.register(cors, corsOptions(options));
  if (options.overload) shedLoad(app, options.overload);
  const limited = options.rateLimitPerMinute > 0;
  if (limited) {
    // Per user when the request carries a valid token, else per client address; counted in
    // Redis when the composition passes a shared store (and let through when Redis is down).
    // Not global: the API applies it as its first hook (below), before authentication, so
    // a refused request costs no token check against the write model.
    app.register(rateLimit, {
      ...deps.rateLimitStore,
      global: false,
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: rateLimitKey(deps.tokens),
      ...(deps.telemetry?.rateLimited && { onExceeded: deps.telemetry.rateLimited }),
    });
  }
  app.register(
    async (instance) => {
      const api = instance.withTypeProvider<JsonSchemaToTsProvider>();
      if (limited) api.addHook('onRequest', instance.rateLimit());
      api.addHook('onRequest', authenticate(deps.tokens, deps.useCases, deps.oidc));
      if (deps.idempotency) idempotentWrites(api, deps.idempotency, deps.logger);
      api.addHook('onSend', httpCaching(options.sharedMaxAgeS));
      api.decorateRequest('auth', null);
      userRoutes(api, deps);
      profileRoutes(api, deps);
      articleRoutes(api, deps);
      commentRoutes(api, deps);
      tagRoutes(api, deps);
      notificationRoutes(api, deps);
    },
    { prefix: '/api' },
  );
  // In a plugin, so that the OpenAPI description (registered as a plugin too) sees them.
  app.register(async (instance) => healthRoutes(instance, deps.readiness, lifecycle));
  if (deps.telemetry) telemetryRoutes(app, deps.telemetry);
  return app;
}

/**
 * Node answers a request whose `Expect` header it does not support (anything but
 * `100-continue`) with a bare 417 of its own; here the 417 carries a RealWorld error body,
 * like every other answer.
 */
function answerExpectationsInFormat(app: FastifyInstance): void {
  app.server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify(errorBody('expect', 'is not supported (only 100-continue is)'));
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    response.end(body);
  });
}


/**
 * The security headers (security-headers.ts) on every answer, errors and unknown routes
 * included. A plain callback hook: it runs on every answer, and an async one would cost a
 * promise each time.
 */
const securityHeaders: onSendHookHandler = (request, reply, payload, done) => {
  applySecurityHeaders(request, reply);
  done(null, payload);
};

/**
 * Fastify's `frameworkErrors`: a URL the router cannot decode (`/articles/%FF`) or a path
 * parameter over `maxParamLength`. Without it Fastify answers these itself, in its own
 * format and echoing the URL back. Their reply is built outside every route context, so no
 * hook runs for it: the security headers and the CORS origin (else a browser could not
 * read the error) are set here, then the one mapper answers.
 */
function frameworkErrorHandler(corsOrigins: readonly string[]) {
  const anyOrigin = corsOrigins.includes('*');
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    applySecurityHeaders(request, reply);
    const origin = request.headers.origin;
    if (anyOrigin) reply.header('access-control-allow-origin', '*');
    else if (origin !== undefined && corsOrigins.includes(origin))
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    handleError(error, request, reply);
  };
}

function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function corsOptions(options: HttpOptions) {
  return {
    origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    // X-Request-Id is honoured on the way in (see requestId), so browsers may send it too.
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Requested-With', 'X-Request-Id'],
    // Readable by browser clients: the request id, when to retry, the rate limit's state, the entity tag to revalidate with.
    exposedHeaders: [
      'X-Request-Id',
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'ETag',
    ],
    // Tokens travel in a header, never in cookies, so no credentialed CORS is needed.
    credentials: false,
    maxAge: 600,
    // A bare OPTIONS (no Origin or Access-Control-Request-Method: curl, a health checker,
    // an HTTP client probing what is allowed) gets the same 204 as a preflight instead of
    // the plugin's plain-text 400, which is in no format a client of this API can read.
    strictPreflight: false,
  };
}

/**
 * JSON is the only request format. An empty body is "no body" whatever its declared type:
 * clients (the RealWorld suite among them) send `Content-Type: application/json` on
 * GET, DELETE and POST …/favorite without a body. A non-empty body of another type is 415,
 * and so is a compressed one: Fastify hands the parser the raw bytes, which would
 * otherwise be reported as "not valid JSON" when all the client did was compress it.
 */
function acceptJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (isEncoded(request)) return done(body.length === 0 ? null : unsupportedEncodingError(), undefined);
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(invalidUtf8Error(), undefined);
    }
    if (text.trim().length === 0) return done(null, undefined);
    parseJson(request, text, (error, value) => {
      // The parser refuses prototype keys with its "invalid JSON" error; a second parse,
      // paid only on this error path, tells the two apart.
      if (error !== null && isPlainJson(text)) return done(prototypeKeyError(), undefined);
      done(error, value);
    });
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
}

function isPlainJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** True when the body declares a content coding other than `identity` (gzip, br, …). */
function isEncoded(request: FastifyRequest): boolean {
  const encoding = request.headers['content-encoding'];
  return encoding !== undefined && encoding.trim() !== '' && encoding.trim().toLowerCase() !== 'identity';
}
