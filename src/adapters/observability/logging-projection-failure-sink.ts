import type { Logger } from 'pino';
import type { ProjectionFailureSink } from '../../application/projections/projector.js';

export class LoggingProjectionFailureSink implements ProjectionFailureSink {
  constructor(private readonly logger: Logger) {}

  projectionFailed(position: number, eventType: string, error: unknown): void {
    this.logger.error({ err: error, position, eventType }, 'projection failed; the event stays pending and is retried');
  }

  runFailed(error: unknown): void {
    this.logger.error({ err: error }, 'projector run failed; pending events are retried on the next write');
  }
}
