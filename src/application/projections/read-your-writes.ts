import type { DomainError } from '../../domain/index.js';
import type { Result } from 'ts-results-es';
import type { CommandHandler } from '../shared/handler.js';

/** What a command waits on before it answers: the projection of the events it committed. */
export interface ProjectionBarrier {
  catchUp(): Promise<void>;
}

/**
 * Read-your-writes: a successful command returns only after the read models include its
 * events, so the client's next query sees its own write. Failed commands wrote nothing
 * and return at once. Applied by the composition root around every command handler.
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
