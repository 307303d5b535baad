/**
 * What `npm run stack -- --json` prints once the stack is ready (one line of JSON after
 * the `stack ready:` line): everything a test or a script needs to reach each part.
 * Passwords in URLs are replaced by `***`.
 */
export interface StackEndpoints {
  /** The API through nginx: `http://127.0.0.1:<port>/api`. */
  readonly api: string;
  /** nginx itself (`/lb/health` answers there). */
  readonly nginx: string;
  /** The API through nginx over TLS: `https://127.0.0.1:<tls port>/api`. */
  readonly https: string;
  /** The self-signed PEM certificate nginx serves there, for 127.0.0.1 and localhost: a client trusts it as its CA. */
  readonly certificate: string;
  /** The API replicas, each on its own port, in start order. */
  readonly replicas: readonly ReplicaEndpoint[];
  /** Every part, processes or not. */
  readonly parts: readonly PartEndpoint[];
  readonly database: string;
  readonly redis: string;
  /** The broker of integration events (NATS JetStream or RabbitMQ), redacted. */
  readonly broker: string;
  /** The folder holding `<part>.log` for every process. */
  readonly logs: string;
  /** nginx's access log (one line per request, with its request id). */
  readonly accessLog: string;
  /** The stack's own process: SIGTERM or SIGINT stops it all. */
  readonly pid: number;
  /** RATE_LIMIT_PER_MINUTE as the replicas were given it (0: off). */
  readonly rateLimitPerMinute: number;
  /** The stack's own Prometheus (`--prometheus`): `http://127.0.0.1:<port>`; absent without it. */
  readonly prometheus?: string;
}

export interface ReplicaEndpoint {
  readonly name: string;
  /** `http://127.0.0.1:<port>`: /health/ready, /health/live. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api`. */
  readonly api: string;
  readonly pid: number | undefined;
  readonly log: string;
}

export interface PartEndpoint {
  readonly name: string;
  readonly role: PartRole;
  readonly pid?: number | undefined;
  readonly log?: string | undefined;
  readonly url?: string | undefined;
}

export type PartRole = 'database' | 'redis' | 'broker' | 'api' | 'worker' | 'load-balancer' | 'monitoring';

/** A URL with its password (if any) replaced, for output. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
