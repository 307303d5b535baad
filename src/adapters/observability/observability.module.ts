import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { ProjectionMonitor, ProjectionObserver } from '../../application/read-side/projector.js';
import { AuditLog } from '../../application/shared/audit-log.js';
import { UseCaseMonitor } from '../../application/shared/use-case-monitor.js';
import { LoggingAuditLog } from './logging-audit-log.js';
import { LoggingProjectionMonitor, LoggingUseCaseMonitor } from './logging-monitors.js';

/** Where the application reports: the log (the command log, projection trouble). */
export const observabilityModule = (logger: Logger): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(LoggingProjectionMonitor).toConstantValue(new LoggingProjectionMonitor(logger));
    bind(ProjectionMonitor).toService(LoggingProjectionMonitor);
    bind(LoggingUseCaseMonitor).toConstantValue(new LoggingUseCaseMonitor(logger));
    bind(UseCaseMonitor).toService(LoggingUseCaseMonitor);
    bind(AuditLog).toConstantValue(new LoggingAuditLog(logger));
    // Nothing needs to hear about applied changes unless a cache is on (the composition rebinds it then).
    bind(ProjectionObserver).toConstantValue({ applied: async () => {}, replaced: async () => {} });
  });
