import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';
import type { SaveConflict } from './persistence.js';

/**
 * How many times a command re-runs after losing a race it can resolve by reloading (a
 * concurrent update of the same aggregate, a slug or a pair taken meanwhile). Each re-run
 * starts from the state as stored now, so a concurrent change is built upon, never lost.
 */
const RACE_RETRIES = 3;

/** The conflicts a re-run from fresh state resolves; every other error is final. */
const RACES: ReadonlySet<SaveConflict['code']> = new Set(['CONCURRENT_UPDATE', 'DUPLICATE', 'ARTICLE.SLUG_TAKEN']);

const isRace = (error: DomainError): boolean =>
  error.kind === 'conflict' && RACES.has(error.code as SaveConflict['code']);

/**
 * The one retry policy of the command handlers: runs `attempt` (numbered from 0) until it
 * succeeds, fails with an error that is not a race, or has lost RACE_RETRIES races in a
 * row, and answers its last result.
 */
export async function retryRaces<R extends Result<unknown, DomainError>>(
  attempt: (attemptNumber: number) => Promise<R>,
): Promise<R> {
  for (let n = 0; ; n++) {
    const result = await attempt(n);
    if (result.isOk() || !isRace(result.error as DomainError) || n >= RACE_RETRIES) return result;
  }
}
