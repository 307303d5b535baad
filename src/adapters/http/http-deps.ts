import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { UseCases } from '../../application/use-cases.js';
import type { TokenService } from '../security/token-service.js';
import type { OidcAuthentication } from './auth.js';
import type { IdempotencyOptions } from './idempotency.js';
import type { OverloadLimits } from './overload.js';

/** How a dependency is doing: 'ok' and 'degraded' (working around it, e.g. a cache bypassed) keep the process ready. */
export type DependencyState = 'ok' | 'degraded' | 'replaying' | 'lost' | 'failed' | 'timeout';

/** A dependency the readiness probe checks (database, read store, cache, broker). */
export interface ReadinessCheck {
  readonly name: string;
  /**
   * Whether the process is useless without it (the write database): then anything but
   * 'ok'/'degraded' makes it unready. Otherwise (default false) a problem is reported and
   * the process stays ready: the read store is shared by every replica, so taking them all
   * out of the load balancer would also stop the writes, which do not need it; reads
   * answer 503 with Retry-After on their own meanwhile.
   */
  readonly critical?: boolean;
  /** Resolves to the dependency's state; a rejection counts as 'failed' (its reason goes to the log). */
  check(): Promise<DependencyState>;
}

export interface HttpOptions {
  /** Largest accepted request body, in bytes; larger bodies get 413. */
  readonly bodyLimit: number;
  /** Allowed CORS origins; `['*']` allows any origin (without credentials). */
  readonly corsOrigins: readonly string[];
  /** Requests per minute per client IP on the whole API; 0 disables the limit. */
  readonly rateLimitPerMinute: number;
  /** Trust X-Forwarded-* from a proxy (behind nginx). */
  readonly trustProxy: boolean;
  /** `s-maxage` of successful anonymous GET answers: how long a shared cache (a CDN) may keep them. */
  readonly sharedMaxAgeS?: number;
  /** Share of successful requests logged (4xx and 5xx always are); absent → 1. */
  readonly requestLogSampleRate?: number;
  /** When to shed requests with 503 (event-loop delay, heap); absent → never. */
  readonly overload?: OverloadLimits;
  /** Serve HTTPS (HTTP/1.1) with this key and certificate (src/adapters/http/tls.ts); absent → plain HTTP. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly minVersion: 'TLSv1.2' } | undefined;
}

/** What the HTTP adapter is built from: the use cases (wrapped by the composition root), credentials, probes. */
export interface HttpDeps {
  readonly useCases: UseCases;
  readonly tokens: TokenService;
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
  readonly options: HttpOptions;
  /** Where the rate limit counts (Redis, shared by every replica); absent → in this process. */
  readonly rateLimitStore?: Pick<RateLimitPluginOptions, 'store' | 'skipOnError'> | undefined;
  /** Metrics and tracing (absent: both off, and nothing of them runs per request). */
  readonly telemetry?: HttpTelemetry | undefined;
  /** Bearer access tokens of an OpenID provider (OIDC_ISSUER); absent → own tokens only. */
  readonly oidc?: OidcAuthentication | undefined;
  /** Where `Idempotency-Key`s of writes are claimed and their answers kept; absent → the header is ignored. */
  readonly idempotency?: IdempotencyOptions | undefined;
}

/** What the HTTP adapter reports to (metrics) and how it joins traces; each part absent when off. */
export interface HttpTelemetry {
  /** Told of every answered request: its route template (null when no route matched), status and duration. */
  readonly requestFinished?: (method: string, route: string | null, statusCode: number, seconds: number) => void;
  /** Told of each request the rate limit refused (429). */
  readonly rateLimited?: () => void;
  /** Serves `GET /metrics` on this app (absent: metrics off, or served on their own port). */
  readonly exposition?: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Registers the tracing hooks; called before any other hook is added. */
  readonly trace?: (app: FastifyInstance) => void;
}
