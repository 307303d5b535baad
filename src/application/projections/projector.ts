import { inject, injectable } from 'inversify';
import { EventOutbox } from './event-outbox.js';
import { ConduitProjection } from './conduit.projection.js';

export const PROJECTOR_BATCH = 200;

/** Where the projector reports what it could not apply (the logger, in production). */
export interface ProjectionFailureSink {
  /** The projection of one event threw; the event stays pending and is retried by the next run. */
  projectionFailed(position: number, eventType: string, error: unknown): void;
  /** The outbox itself could not be read or updated (database down). */
  runFailed(error: unknown): void;
}
export const ProjectionFailureSink = Symbol.for('ProjectionFailureSink');

/**
 * Applies committed outbox events to the read models, in commit order, and marks them
 * applied. `catchUp()` resolves once every event committed before the call has been
 * through a run.
 *
 * Runs are serialised and coalesced: there is at most one run in progress and one queued.
 * Callers that arrive while a run is queued (not started) share it; since it starts after
 * they asked, it sees everything they committed. N concurrent writers cause at most two
 * runs, not N, and each writer reads its own write when its call returns.
 *
 * A projection that throws stops the run at that event (order is kept), is reported, and
 * stays pending for the next run. `catchUp()` itself never rejects: the write it follows
 * is committed whatever happens here, and the read models catch up on a later run.
 */
@injectable()
export class Projector {
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  constructor(
    @inject(EventOutbox) private readonly outbox: EventOutbox,
    @inject(ConduitProjection) private readonly projection: ConduitProjection,
    @inject(ProjectionFailureSink) private readonly failures: ProjectionFailureSink,
  ) {}

  catchUp(): Promise<void> {
    if (this.queued !== null) return this.queued;
    const run = this.tail.then(() => {
      this.queued = null;
      return this.runOnce();
    });
    this.queued = run;
    this.tail = run;
    return run;
  }

  private async runOnce(): Promise<void> {
    try {
      for (;;) {
        const batch = await this.outbox.pending(PROJECTOR_BATCH);
        if (batch.length === 0) return;
        const applied: number[] = [];
        let failed = false;
        for (const entry of batch) {
          try {
            await this.projection.apply(entry.event);
            applied.push(entry.position);
          } catch (error) {
            this.failures.projectionFailed(entry.position, entry.event.type, error);
            failed = true;
            break;
          }
        }
        if (applied.length > 0) await this.outbox.markApplied(applied);
        if (failed || batch.length < PROJECTOR_BATCH) return;
      }
    } catch (error) {
      this.failures.runFailed(error);
    }
  }
}
