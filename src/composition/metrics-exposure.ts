import { assessReadiness, dependencyUp } from '../adapters/http/health.js';
import type { ReadinessCheck } from '../adapters/http/http-deps.js';
import { serveMetrics, type MetricsServer } from '../adapters/prometheus/metrics-server.js';
import type { AppConfig } from '../config/config.js';
import type { Composition, ProcessRole } from '../container.js';

/**
 * The readiness gauges (the same checks as /health/ready) and, with METRICS_PORT, the
 * metrics listener of its own; null when there is none (metrics off, or on the API's port).
 */
export async function exposeMetrics(
  composition: Composition,
  config: AppConfig,
  role: ProcessRole,
  draining: () => boolean,
): Promise<MetricsServer | null> {
  const { metrics } = composition.telemetry;
  if (!metrics) return null;
  const checks: readonly ReadinessCheck[] = composition.readiness;
  metrics.watchReadiness(async () => {
    const assessed = await assessReadiness(checks, draining(), composition.logger);
    const dependencies = Object.fromEntries(Object.entries(assessed.checks).map(([name, state]) => [name, dependencyUp(state)]));
    return { dependencies, ready: assessed.ready };
  });
  if (config.metricsPort === undefined) {
    if (role !== 'api') composition.logger.info(`METRICS_PORT is not set: this ${role} serves no metrics`);
    return null;
  }
  const server = await serveMetrics(() => metrics.exposition(), config.metricsPort, config.host);
  composition.logger.info({ port: server.port }, 'metrics served on their own port');
  return server;
}
