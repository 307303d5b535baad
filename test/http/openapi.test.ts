import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApp, type FakeApp } from './support/fake-deps.js';

/**
 * The OpenAPI description served at /api/openapi.json covers every operation of the
 * RealWorld specification (listed here, with whether it needs a token) and every other
 * route the server registers: a route added without documentation fails here.
 */
const REALWORLD: readonly (readonly [method: string, path: string, auth: 'required' | 'optional' | 'none'])[] = [
  ['POST', '/users/login', 'none'],
  ['POST', '/users', 'none'],
  ['GET', '/user', 'required'],
  ['PUT', '/user', 'required'],
  ['GET', '/profiles/{username}', 'optional'],
  ['POST', '/profiles/{username}/follow', 'required'],
  ['DELETE', '/profiles/{username}/follow', 'required'],
  ['GET', '/articles/feed', 'required'],
  ['GET', '/articles', 'optional'],
  ['POST', '/articles', 'required'],
  ['GET', '/articles/{slug}', 'optional'],
  ['PUT', '/articles/{slug}', 'required'],
  ['DELETE', '/articles/{slug}', 'required'],
  ['GET', '/articles/{slug}/comments', 'optional'],
  ['POST', '/articles/{slug}/comments', 'required'],
  ['DELETE', '/articles/{slug}/comments/{id}', 'required'],
  ['POST', '/articles/{slug}/favorite', 'required'],
  ['DELETE', '/articles/{slug}/favorite', 'required'],
  ['GET', '/tags', 'none'],
];

/** The only routes allowed to stay out of the description: the description and its viewer. */
const DESCRIPTION_ROUTES = /^\/api\/(openapi\.json$|docs(\/|$))/;

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

const openApiPath = (fastifyUrl: string) => fastifyUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('the OpenAPI description', () => {
  let fake: FakeApp;
  let doc: Document;
  beforeAll(async () => {
    fake = await startFakeApp();
    const res = await fake.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json<Document>();
  });
  afterAll(async () => {
    await fake.app.close();
  });

  it('is OpenAPI 3.1 with the RealWorld token scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.Token).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
  });

  it.each(REALWORLD)('describes %s %s of the RealWorld specification', (method, path, auth) => {
    const operation = doc.paths[`/api${path}`]?.[method.toLowerCase()];
    expect(operation, `${method} /api${path}`).toBeDefined();
    expect(operation?.summary).toBeTruthy();
    const security = operation?.security ?? [];
    if (auth === 'required') expect(security).toEqual([{ Token: [] }]);
    if (auth === 'optional') expect(security).toEqual([{}, { Token: [] }]);
    if (auth === 'none') expect(security).toEqual([]);
    const success = Object.entries(operation?.responses ?? {}).filter(([status]) => status.startsWith('2'));
    expect(success.length).toBeGreaterThan(0);
    // Bodies come from the route schemas themselves.
    if (method === 'POST' || method === 'PUT') {
      if (!path.endsWith('/follow') && !path.endsWith('/favorite')) expect(operation?.requestBody?.content['application/json']).toBeDefined();
    }
    for (const param of path.match(/\{(\w+)\}/g) ?? [])
      expect(operation?.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === param)).toBe(true);
    if (auth === 'required') expect(operation?.responses['401']).toBeDefined();
  });

  it('describes every route the server registers, and hides only its own description routes', () => {
    const table = fake.app.routeTable.filter((route) => route.method !== 'HEAD' && route.method !== 'OPTIONS');
    expect(table.length).toBeGreaterThan(REALWORLD.length);
    const undocumented = table
      .filter((route) => !route.hidden)
      .filter((route) => !doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()]?.summary)
      .map((route) => `${route.method} ${route.url}`);
    expect(undocumented).toEqual([]);
    const hidden = table.filter((route) => route.hidden && !DESCRIPTION_ROUTES.test(route.url));
    expect(hidden).toEqual([]);
    // Nothing is described that the server does not serve.
    const served = new Set(table.map((route) => `${route.method.toLowerCase()} ${openApiPath(route.url)}`));
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(described.filter((operation) => !served.has(operation))).toEqual([]);
  });

  it('documents the refusals in the RealWorld error format', () => {
    const create = doc.paths['/api/articles']?.post;
    for (const status of ['401', '422', '503']) {
      const schema = create?.responses[status]?.content?.['application/json']?.schema as { properties?: Record<string, unknown> };
      expect(schema?.properties?.errors, status).toBeDefined();
    }
  });

  it('describes Idempotency-Key on every write but login, and on no read', () => {
    type Operation = { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> };
    const keyed = (operation: Operation | undefined) =>
      operation?.parameters?.some((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key') === true;
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, Operation>).map(([method, operation]) => ({ route: `${method} ${path}`, operation })),
    );
    const writes = operations.filter(({ route }) => /^(post|put|delete) \/api\//.test(route) && route !== 'post /api/users/login');
    expect(writes.length).toBeGreaterThanOrEqual(10);
    expect(writes.filter(({ operation }) => !keyed(operation)).map(({ route }) => route)).toEqual([]);
    expect(writes.every(({ operation }) => operation.responses['409'] !== undefined)).toBe(true);
    expect(operations.filter(({ route, operation }) => !writes.some((w) => w.route === route) && keyed(operation))).toEqual([]);
  });

  it('serves an interactive reference at /api/docs, with a policy that lets it run', async () => {
    const page = await fake.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/swagger-ui/i);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    const bare = await fake.app.inject({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(bare.statusCode);
    // The API itself keeps its strict policy.
    const tags = await fake.app.inject({ method: 'GET', url: '/api/tags' });
    const directives = String(tags.headers['content-security-policy']).split(';').map((directive) => directive.trim());
    expect(directives.sort()).toEqual(["default-src 'none'", "frame-ancestors 'none'"]);
  });
});
