import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';
import type { OutboxEntry, OutboxSignals } from '../read-side/event-outbox.js';
import type { Projector } from '../read-side/projector.js';
import type { CommitScope } from './commit-scope.js';
import type { UseCaseWrapper } from '../use-cases.js';
import type { CommandHandler } from './handler.js';

/**
 * What a command does after its commit so that the client's next read sees its write.
 * It concerns the command's OWN events only: another process's lease, a failing event or
 * a backlog never makes an unrelated write wait. It never fails the command: the write is
 * committed whatever happens here, and its answer was built from the write side.
 */
export interface ProjectionSync {
  afterCommit(entries: readonly OutboxEntry[]): Promise<void>;
}

/** Projection in this process: the command's events are applied right away, from memory. */
export class ProjectOwnEvents implements ProjectionSync {
  constructor(private readonly projector: Pick<Projector, 'applyOwn'>) {}

  afterCommit(entries: readonly OutboxEntry[]): Promise<void> {
    return this.projector.applyOwn(entries);
  }
}

/** Told how long writers waited for worker processes, and when they gave up. */
export interface ReadYourWritesMonitor {
  waited(positions: readonly number[], waitedMs: number, projected: boolean): void;
}

/**
 * Projection in worker processes: the command waits, up to `timeoutMs`, for the outbox's
 * signal that its own events were projected (workers claim events someone waits for
 * first). When the wait runs out the answer still goes out: it is correct, and only a
 * read made at once may not see the write yet.
 */
export class AwaitOwnEvents implements ProjectionSync {
  constructor(
    private readonly signals: OutboxSignals,
    private readonly timeoutMs: number,
    private readonly monitor: ReadYourWritesMonitor,
  ) {}

  async afterCommit(entries: readonly OutboxEntry[]): Promise<void> {
    const positions = entries.map((entry) => entry.position);
    const started = performance.now();
    const projected = await this.signals.projected(positions, this.timeoutMs);
    this.monitor.waited(positions, performance.now() - started, projected);
  }
}

/**
 * Read-your-writes around one command handler (applied by the use-case assembly to every
 * command that writes): runs the handler, then syncs the projection of the events it
 * committed before answering. A failed command wrote nothing and answers at once.
 */
export const readYourWrites = <C, O, E extends DomainError>(
  handler: CommandHandler<C, O, E>,
  scope: CommitScope,
  sync: ProjectionSync,
): CommandHandler<C, O, E> => ({
  async execute(command: C): Promise<Result<O, E>> {
    const { result, committed } = await scope.track(() => handler.execute(command));
    if (result.isOk() && committed.length > 0) await sync.afterCommit(committed);
    return result;
  },
});

/** Read-your-writes for every use case of kind `command` (the others write nothing). */
export const readYourWritesWrapper = (scope: CommitScope, sync: ProjectionSync): UseCaseWrapper => ({
  wrap: (_name, kind, handler) =>
    kind === 'command' ? readYourWrites(handler as CommandHandler<unknown, unknown, DomainError>, scope, sync) : handler,
});
