import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { DependencyState, ReadinessCheck } from './http-deps.js';
import { NOT_SHED } from './overload.js';

/** A dependency slower than this counts as down: a probe must answer before the prober gives up. */
const READINESS_TIMEOUT_MS = 2_000;

/** States that keep the process ready: a dependency the process works around is reported, not fatal. */
const SERVING: ReadonlySet<DependencyState> = new Set(['ok', 'degraded']);

async function run(check: ReadinessCheck, timeoutMs: number, log: FastifyBaseLogger): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DependencyState>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const state = await Promise.race([check.check(), timeout]);
    if (!SERVING.has(state)) log.warn({ check: check.name, state, timeoutMs }, 'readiness check not ok');
    return state;
  } catch (error) {
    log.warn({ check: check.name, err: error }, 'readiness check failed');
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** What the health routes need beyond the checks: whether the process is shutting down. */
export interface HealthState {
  /** True from the first shutdown signal on: readiness answers 503 at once so load balancers drain this process. */
  readonly draining: () => boolean;
}

/**
 * Liveness says the process serves HTTP at all (restart it otherwise); readiness says its
 * critical dependencies answer and it is not draining (route traffic elsewhere otherwise),
 * naming each dependency with its state; any state but 'ok' makes the status 'degraded'
 * (`"cache": "degraded"`, `"read-store": "lost"` keep it ready). Neither is rate
 * limited or authenticated, and a failing check's reason goes to the log, never to the
 * response.
 */
export function healthRoutes(
  app: FastifyInstance,
  readiness: readonly ReadinessCheck[],
  state: HealthState,
  timeoutMs = READINESS_TIMEOUT_MS,
): void {
  // Neither rate limited nor shed under overload: a shed liveness probe would get the
  // process restarted, a shed readiness probe would take every busy replica out at once.
  const config = { rateLimit: false, ...NOT_SHED };

  app.get('/health/live', { config }, async () => ({ status: 'ok' }));

  app.get('/health/ready', { config }, async (request, reply) => {
    const { ready, status, checks } = await assessReadiness(readiness, state.draining(), request.log, timeoutMs);
    return reply.code(ready ? 200 : 503).send({ status, checks });
  });
}

export interface ReadinessAssessment {
  readonly ready: boolean;
  readonly status: 'ok' | 'degraded' | 'unavailable' | 'draining';
  readonly checks: Readonly<Record<string, DependencyState>>;
}

/** Runs every check at once, each bounded by `timeoutMs`: what the readiness probe answers (and the metrics report). */
export async function assessReadiness(
  readiness: readonly ReadinessCheck[],
  draining: boolean,
  log: FastifyBaseLogger,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessAssessment> {
  const outcomes = await Promise.all(readiness.map((check) => run(check, timeoutMs, log)));
  const checks = Object.fromEntries(readiness.map((check, i) => [check.name, outcomes[i]!]));
  const ready = !draining && readiness.every((check, i) => check.critical !== true || SERVING.has(outcomes[i] ?? 'failed'));
  const status = draining ? 'draining' : ready ? (outcomes.every((o) => o === 'ok') ? 'ok' : 'degraded') : 'unavailable';
  return { ready, status, checks };
}

/** Whether a dependency counts as up in the metrics: only `ok` (degraded is worked around, but not up). */
export const dependencyUp = (state: DependencyState): boolean => state === 'ok';
