import type { OutboxEntry } from '../../application/read-side/event-outbox.js';
import type { ProjectionMonitor } from '../../application/read-side/projector.js';
import type { ReadYourWritesMonitor } from '../../application/shared/read-your-writes.js';
import type { UseCaseMonitor, UseCaseReport } from '../../application/shared/use-case-monitor.js';

type Monitor = ProjectionMonitor & ReadYourWritesMonitor & UseCaseMonitor;

/** Tells every monitor given (the log, the metrics) of each report, in order. */
export class FanOutMonitor implements Monitor {
  constructor(private readonly monitors: readonly Partial<Monitor>[]) {}

  projectionFailed(entry: OutboxEntry, error: unknown, retryAt: Date | null): void {
    for (const monitor of this.monitors) monitor.projectionFailed?.(entry, error, retryAt);
  }

  runFailed(error: unknown): void {
    for (const monitor of this.monitors) monitor.runFailed?.(error);
  }

  projected(entries: readonly OutboxEntry[], durationMs: number): void {
    for (const monitor of this.monitors) monitor.projected?.(entries, durationMs);
  }

  readStoreRepaired(generation: string): void {
    for (const monitor of this.monitors) monitor.readStoreRepaired?.(generation);
  }

  waited(positions: readonly number[], waitedMs: number, projected: boolean): void {
    for (const monitor of this.monitors) monitor.waited?.(positions, waitedMs, projected);
  }

  finished(report: UseCaseReport): void {
    for (const monitor of this.monitors) monitor.finished?.(report);
  }
}
