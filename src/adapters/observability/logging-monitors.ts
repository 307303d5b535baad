import type { Logger } from 'pino';
import type { OutboxEntry } from '../../application/read-side/event-outbox.js';
import type { ProjectionMonitor } from '../../application/read-side/projector.js';
import type { ReadYourWritesMonitor } from '../../application/shared/read-your-writes.js';
import type { UseCaseMonitor, UseCaseReport } from '../../application/shared/use-case-monitor.js';

/** Projection trouble, in the log: what failed, where it is in the outbox, and what happens next. */
export class LoggingProjectionMonitor implements ProjectionMonitor, ReadYourWritesMonitor {
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

  projected(entries: readonly OutboxEntry[], durationMs: number): void {
    this.logger.debug({ events: entries.length, durationMs }, 'events projected');
  }

  readStoreRepaired(generation: string): void {
    this.logger.warn({ generation }, 'the read store had lost its data: prepared again, the outbox is replayed into it');
  }

  waited(positions: readonly number[], waitedMs: number, projected: boolean): void {
    if (projected) return;
    this.logger.warn(
      { positions, waitedMs },
      'read-your-writes wait timed out: the write is committed, its read models follow when a projector catches up',
    );
  }
}

/**
 * The command log: one line per command with its outcome and duration (info; errors the
 * client caused at info too, since they are answers, not failures). Queries are logged by
 * the request log already.
 */
export class LoggingUseCaseMonitor implements UseCaseMonitor {
  constructor(private readonly logger: Logger) {}

  finished(report: UseCaseReport): void {
    if (report.kind === 'query') return;
    const line = { useCase: report.name, outcome: report.outcome, durationMs: Math.round(report.durationMs * 10) / 10 };
    if (report.outcome === 'exception') this.logger.error(line, 'command failed');
    else this.logger.info(report.code ? { ...line, code: report.code } : line, 'command');
  }
}
