import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';
import type { CommandHandler } from '../shared/handler.js';
import type { EventOutbox } from './event-outbox.js';

/** What a command waits on before it answers: the projection of the events it committed. */
export interface ProjectionBarrier {
  /** Resolves once everything committed before the call is projected, or the wait timed out. Never rejects. */
  catchUp(): Promise<void>;
}

export interface ReadYourWritesOptions {
  /** Longest a write waits for its projection before answering anyway. */
  readonly timeoutMs: number;
  /** Pause between checks while waiting on another process's projector. */
  readonly pollMs: number;
}

/** Told when a write answered before its events were projected. */
export interface ReadYourWritesMonitor {
  timedOut(position: number, waitedMs: number): void;
}

/**
 * Waits until the outbox is projected up to the position it had when the call was made
 * (everything the caller committed is at or below it). Used as is when projectors run in
 * other processes (`npm run worker`); after an in-process run otherwise, because another
 * replica's projector may hold the lease on the caller's events.
 */
export class OutboxBarrier implements ProjectionBarrier {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly options: ReadYourWritesOptions,
    private readonly monitor: ReadYourWritesMonitor,
    /** Runs the in-process projector first, when there is one. */
    private readonly runLocally?: () => Promise<void>,
  ) {}

  async catchUp(): Promise<void> {
    const started = Date.now();
    let position = 0;
    try {
      position = await this.outbox.lastPosition();
      if (this.runLocally) await this.runLocally();
      let pause = 2;
      while (!(await this.outbox.projectedThrough(position))) {
        const waited = Date.now() - started;
        if (waited >= this.options.timeoutMs) {
          this.monitor.timedOut(position, waited);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(this.options.pollMs, pause * 2);
      }
    } catch {
      // The write is committed whatever happens here; its projection follows later.
      this.monitor.timedOut(position, Date.now() - started);
    }
  }
}

/**
 * Read-your-writes: a successful command returns only after the read models include its
 * events (or the bounded wait ran out), so the client's next query sees its own write.
 * Failed commands wrote nothing and return at once. Applied by the composition root
 * around every command handler.
 */
export const readYourWrites = <C, O, E extends DomainError>(
  handler: CommandHandler<C, O, E>,
  barrier: ProjectionBarrier,
): CommandHandler<C, O, E> => ({
  async execute(command: C): Promise<Result<O, E>> {
    const result = await handler.execute(command);
    if (result.isOk()) await barrier.catchUp();
    return result;
  },
});
