import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { ProjectionMonitor, ProjectionObserver } from '../../application/read-side/projector.js';
import { AuditLog } from '../../application/shared/audit-log.js';
import { UseCaseMonitor } from '../../application/shared/use-case-monitor.js';
import type { PrometheusMetrics } from '../prometheus/prometheus-metrics.js';
import { FanOutMonitor } from './fan-out-monitors.js';
import { LoggingAuditLog } from './logging-audit-log.js';
import { LoggingProjectionMonitor, LoggingUseCaseMonitor } from './logging-monitors.js';

/** Where the application reports: the log (the command log, projection trouble) and, when on, the metrics. */
export const observabilityModule = (logger: Logger, metrics: PrometheusMetrics | null = null): ContainerModule =>
  new ContainerModule(({ bind }) => {
    const logging = new LoggingProjectionMonitor(logger);
    const commands = new LoggingUseCaseMonitor(logger);
    bind(LoggingProjectionMonitor).toConstantValue(logging);
    bind(LoggingUseCaseMonitor).toConstantValue(commands);
    const monitor = new FanOutMonitor(metrics ? [logging, commands, metrics] : [logging, commands]);
    bind(FanOutMonitor).toConstantValue(monitor);
    bind(ProjectionMonitor).toConstantValue(monitor);
    bind(UseCaseMonitor).toConstantValue(monitor);
    bind(AuditLog).toConstantValue(new LoggingAuditLog(logger));
    // Nothing needs to hear about applied changes unless a cache is on (the composition rebinds it then).
    bind(ProjectionObserver).toConstantValue({ applied: async () => {}, replaced: async () => {} });
  });
