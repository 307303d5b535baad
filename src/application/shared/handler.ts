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

/**
 * What the reader of a cached query accepts. `mayLag`: the reader is nobody's writer (an
 * anonymous HTTP request), so the cache may validate its answer against this process's
 * copies of invalidation stamps, which can miss a change made through another process for
 * at most a second (while bumps are pushed to the process, only if a message was lost;
 * docs/adr/015-…, 019-…); without it the answer reflects every change whose write was
 * answered before the query began.
 */
export interface ReadFreshness {
  readonly mayLag?: boolean | undefined;
}

/**
 * A query answered in two steps, so that the first can be cached for every viewer:
 * `load` reads what every viewer sees alike (it never looks at the viewer, and answers
 * JSON data only), `present` lays the viewer's own fields over it (one batched look-up per
 * relationship). `execute` is `present(query, await load(query))`.
 */
export interface TwoStepQuery<Q, D, O, E extends DomainError = DomainError> extends QueryHandler<Q, O, E> {
  load(query: Q): Promise<D>;
  present(query: Q, data: D): Promise<Result<O, E>>;
}
