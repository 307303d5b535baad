import type { OutboxEntry } from '../read-side/event-outbox.js';

/**
 * The write side reports every transaction it commits with events: repositories call it
 * right after their commit, with the outbox entries they wrote. It never fails a write.
 */
export interface CommitListener {
  committed(entries: readonly OutboxEntry[]): void;
}
export const CommitListener = Symbol.for('CommitListener');

/**
 * Runs a use case and answers what it committed: the entries every CommitListener call
 * made while `work` ran (and only those calls: concurrent use cases each see their own).
 */
export interface CommitScope {
  track<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly committed: readonly OutboxEntry[] }>;
}
export const CommitScope = Symbol.for('CommitScope');
