import type { Logger } from 'pino';
import type { OutboxEntry } from '../../application/projections/event-outbox.js';
import type { ProjectionFailureSink } from '../../application/projections/projector.js';
import type { ReadYourWritesMonitor } from '../../application/projections/read-your-writes.js';

/** Projection trouble, in the log: what failed, where it is in the outbox, and what happens next. */
export class LoggingProjectionFailureSink implements ProjectionFailureSink, ReadYourWritesMonitor {
  constructor(private readonly logger: Logger) {}

  projectionFailed(entry: OutboxEntry, error: unknown, retryAt: Date | null): void {
    const context = {
      err: error,
      position: entry.position,
      eventType: entry.event.type,
      aggregate: `${entry.event.aggregateType}:${entry.event.aggregateId}@${entry.event.version}`,
      attempt: entry.attempts + 1,
    };
    if (retryAt === null)
      this.logger.error(context, 'projection failed for the last time: event parked (requeue with `npm run outbox -- requeue`)');
    else this.logger.warn({ ...context, retryAt }, 'projection failed: event will be retried');
  }

  runFailed(error: unknown): void {
    this.logger.error({ err: error }, 'projector run failed; due events are retried on the next run');
  }

  timedOut(position: number, waitedMs: number): void {
    this.logger.warn(
      { position, waitedMs },
      'read-your-writes wait timed out: the write is committed, its read models follow when the projector catches up',
    );
  }
}
