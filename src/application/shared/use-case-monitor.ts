import type { DomainError, ErrorKind } from '../../domain/index.js';
import type { UseCaseKind, UseCaseName, UseCaseWrapper } from '../use-cases.js';

/** How a use case ended: success, one of the domain's error kinds, or an exception (a bug or an outage). */
export type UseCaseOutcome = 'ok' | ErrorKind | 'exception';

export interface UseCaseReport {
  readonly name: UseCaseName;
  readonly kind: UseCaseKind;
  readonly outcome: UseCaseOutcome;
  readonly durationMs: number;
  /** The domain error's code, when the outcome is an error kind. */
  readonly code?: string;
}

/** Told of every use case that finished (the command log, metrics). */
export interface UseCaseMonitor {
  finished(report: UseCaseReport): void;
}
export const UseCaseMonitor = Symbol.for('UseCaseMonitor');

/** Reports every use case's outcome and duration to the monitor; the result passes through untouched. */
export const observeUseCases = (monitor: UseCaseMonitor): UseCaseWrapper => ({
  wrap: (name, kind, handler) => ({
    async execute(input) {
      const started = performance.now();
      try {
        const result = await handler.execute(input);
        const error = result.isErr() ? (result.error as DomainError) : undefined;
        monitor.finished({
          name,
          kind,
          outcome: error?.kind ?? 'ok',
          durationMs: performance.now() - started,
          ...(error && { code: error.code }),
        });
        return result;
      } catch (error) {
        monitor.finished({ name, kind, outcome: 'exception', durationMs: performance.now() - started });
        throw error;
      }
    },
  }),
});
