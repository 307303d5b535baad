import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet tuned for a JSON API: nothing it serves is a document, so the content security
 * policy allows nothing (no script, style, frame or form may come from an answer);
 * resources may not be loaded cross-origin without CORS; no referrer leaves. HSTS is sent
 * by `applySecurityHeaders` over HTTPS only (a plain-HTTP answer saying "use HTTPS" is
 * meaningless, and wrong behind a proxy that does not terminate TLS).
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  frameguard: { action: 'deny' },
  hsts: false,
  referrerPolicy: { policy: 'no-referrer' },
  xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
};

/**
 * The headers helmet sets for `options`, worked out once: its middleware run against a
 * response that only records them. They depend on the options alone (no nonce, nothing
 * from the request), so every answer can carry the same values without helmet rebuilding
 * its middleware per request, which is what the Fastify plugin does.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return Object.freeze(headers);
}

const { 'content-security-policy': CONTENT_SECURITY_POLICY, ...OTHER_HELMET_HEADERS } = helmetHeaders(HELMET_OPTIONS);

/**
 * Headers for a JSON API that no browser should ever render, frame or share, set on every
 * answer: routed ones, errors and unknown routes (an `onSend` hook), and Fastify's framework
 * errors, which run no hook (their handler calls this itself).
 */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  reply.headers(OTHER_HELMET_HEADERS);
  // The one HTML page (the API reference at /api/docs) sets a policy of its own that lets its scripts run.
  if (CONTENT_SECURITY_POLICY !== undefined && !reply.hasHeader('content-security-policy'))
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  // Only meaningful over TLS; behind nginx the protocol comes from X-Forwarded-Proto (trustProxy).
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  // Answers are personalised (favorited, following): no shared cache may keep them.
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}
