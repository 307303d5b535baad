import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';

/** One write use case. Handlers are called directly and typed; there is no bus. */
export interface CommandHandler<C, O, E extends DomainError = DomainError> {
  execute(command: C): Promise<Result<O, E>>;
}

/** One read use case. It reads only through read-store ports and never loads aggregates. */
export interface QueryHandler<Q, O, E extends DomainError = DomainError> {
  execute(query: Q): Promise<Result<O, E>>;
}
