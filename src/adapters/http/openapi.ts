import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { IDEMPOTENCY_KEY_PATTERN, takesIdempotencyKey } from './idempotency.js';

/** One route as Fastify registered it (HEAD and OPTIONS included), for checks of the description. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  /** `schema.hide`: left out of the description on purpose (the description's own routes). */
  readonly hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on this instance, in registration order. */
    readonly routeTable: readonly RouteEntry[];
  }
}

/** The version of the API contract described (not of the server). */
const API_VERSION = '1.0.0';

type Auth = 'required' | 'optional' | 'none';

/** What the route schemas do not say: a summary, a group, whether a token is needed. */
interface Operation {
  readonly summary: string;
  readonly tag: 'User and Authentication' | 'Profile' | 'Articles' | 'Comments' | 'Favorites' | 'Tags' | 'Notifications' | 'Operations';
  readonly auth: Auth;
  /** Documentation-only response schemas, for routes that declare none of their own. */
  readonly responses?: Readonly<Record<string, unknown>>;
}

const health = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'draining', 'unavailable'] },
    checks: { type: 'object', additionalProperties: { type: 'string' }, description: 'Each dependency and its state' },
  },
} as const;

const noContent = { 204: { description: 'Done', type: 'null' } } as const;

/**
 * Every operation by `METHOD /url` (Fastify's form). A route missing here is described
 * without a summary, which test/http/openapi.test.ts refuses: a new route is documented
 * in the same change.
 */
/** One group's operations, each `[summary, auth, documentation-only responses?]`. */
const group = (
  tag: Operation['tag'],
  operations: Readonly<Record<string, readonly [string, Auth, Operation['responses']?]>>,
): Record<string, Operation> =>
  Object.fromEntries(
    Object.entries(operations).map(([route, [summary, auth, responses]]) => [route, { summary, tag, auth, ...(responses && { responses }) }]),
  );

const OPERATIONS: Readonly<Record<string, Operation>> = {
  ...group('User and Authentication', {
    'POST /api/users/login': ['Log in: the user with a token', 'none'],
    'POST /api/users': ['Register a user', 'none'],
    'GET /api/user': ['The current user', 'required'],
    'PUT /api/user': ['Update the current user', 'required'],
    'POST /api/user/logout-all': ['Sign out everywhere: every token issued before now stops working', 'required', noContent],
  }),
  ...group('Profile', {
    'GET /api/profiles/:username': ['A profile', 'optional'],
    'POST /api/profiles/:username/follow': ['Follow a user', 'required'],
    'DELETE /api/profiles/:username/follow': ['Unfollow a user', 'required'],
  }),
  ...group('Articles', {
    'GET /api/articles/feed': ['Articles by followed users, newest first', 'required'],
    'GET /api/articles': ['Articles, newest first, by tag, author or favoriter', 'optional'],
    'POST /api/articles': ['Create an article', 'required'],
    'GET /api/articles/:slug': ['An article', 'optional'],
    'PUT /api/articles/:slug': ['Update an article (its author, or an admin)', 'required'],
    'DELETE /api/articles/:slug': ['Delete an article (its author, or an admin)', 'required', noContent],
  }),
  ...group('Comments', {
    'GET /api/articles/:slug/comments': ["An article's comments", 'optional'],
    'POST /api/articles/:slug/comments': ['Comment on an article', 'required'],
    'DELETE /api/articles/:slug/comments/:id': ['Delete a comment (its author, or an admin)', 'required', noContent],
  }),
  ...group('Favorites', {
    'POST /api/articles/:slug/favorite': ['Favorite an article', 'required'],
    'DELETE /api/articles/:slug/favorite': ['Unfavorite an article', 'required'],
  }),
  ...group('Tags', { 'GET /api/tags': ['Every tag in use', 'none'] }),
  ...group('Notifications', {
    'GET /api/notifications': ["The current user's notifications, newest first", 'required'],
    'POST /api/notifications/read': ['Mark all notifications read, or those up to one id', 'required'],
  }),
  ...group('Operations', {
    'GET /metrics': [
      'Prometheus metrics (text exposition format); served here unless METRICS_PORT moves them',
      'none',
      { 200: { description: 'Prometheus text format' } },
    ],
    'GET /health/live': ['Liveness: 200 while the process serves HTTP', 'none', { 200: { description: 'Alive', ...health } }],
    'GET /health/ready': [
      'Readiness: 200 when the critical dependencies answer and the process is not draining',
      'none',
      { 200: { description: 'Ready', ...health }, 503: { description: 'Not ready, or draining', ...health } },
    ],
  }),
};

const errorBody = {
  type: 'object',
  required: ['errors'],
  properties: { errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
} as const;

const error = (description: string) => ({ description, ...errorBody });

/** Writes of the API that take an `Idempotency-Key` (the operations routes are outside it). */
const keyed = (method: string, url: string, operation: Operation): boolean =>
  operation.tag !== 'Operations' && takesIdempotencyKey(method, url);

const idempotencyKeyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description:
        'Makes the write safe to send again: the first request with a key runs, a repetition (same user, same request) within `IDEMPOTENCY_TTL_S` (24 hours by default) gets its answer with `Idempotent-Replayed: true`',
    },
  },
} as const;

/** The refusals every operation of its kind can answer, in the RealWorld error format. */
function refusals(schema: FastifySchema | undefined, operation: Operation, idempotent: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (idempotent) {
    out[400] = error('Malformed Idempotency-Key');
    out[409] = error('The Idempotency-Key belongs to a request still running (Retry-After says when to retry)');
  }
  if (operation.auth === 'required') out[401] = error('Missing or invalid token');
  if (schema?.body !== undefined || schema?.querystring !== undefined || schema?.params !== undefined)
    out[422] = error('Invalid input, each problem keyed by its field');
  if (schema?.params !== undefined) out[404] = error('Not found');
  if (operation.tag !== 'Operations') {
    out[429] = error('Too many requests (Retry-After says when to retry)');
    out[503] = error('Overloaded, draining or a dependency down (Retry-After says when to retry)');
  }
  return out;
}

const SECURITY: Readonly<Record<Auth, readonly Record<string, string[]>[]>> = {
  required: [{ Token: [] }],
  optional: [{}, { Token: [] }],
  none: [],
};

/**
 * The OpenAPI 3.1 description, generated by @fastify/swagger from the route schemas
 * (bodies, parameters, responses) plus the table above; served as `/api/openapi.json`,
 * with an interactive reference (Swagger UI, its assets served from this process) at
 * `/api/docs`. Call before any route is registered: the route table is recorded from here.
 */
export function describeApi(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.push({ method, url: route.url, hidden: route.schema?.hide === true });
  });
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Conduit API',
        version: API_VERSION,
        description:
          'The RealWorld "Conduit" API (https://realworld-docs.netlify.app), plus health probes. Errors are `{"errors":{"<field>":["<problem>"]}}`.',
      },
      components: {
        securitySchemes: {
          Token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <jwt>`, the token from registration or login' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const method = [route.method].flat()[0] ?? '';
      const operation = OPERATIONS[`${method} ${url}`];
      if (operation === undefined) return { schema, url };
      const idempotent = keyed(method, url, operation);
      const response = {
        ...(schema?.response as Record<string, unknown> | undefined),
        ...operation.responses,
        ...refusals(schema, operation, idempotent),
      };
      return {
        schema: {
          ...schema,
          ...(idempotent && { headers: idempotencyKeyHeader }),
          summary: operation.summary,
          tags: [operation.tag],
          security: [...SECURITY[operation.auth]],
          response,
        },
        url,
      };
    },
  });
  app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.register(async (instance) => {
    instance.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });
}
