import type { ConduitEvent } from '../../domain/index.js';

/** An event as stored in the outbox, with its position (global commit order). */
export interface OutboxEntry {
  readonly position: number;
  readonly event: ConduitEvent;
}

/** The projector's view of the transactional outbox the repositories append to. */
export interface EventOutbox {
  /** Unapplied events in position order, at most `limit`. */
  pending(limit: number): Promise<OutboxEntry[]>;
  markApplied(positions: readonly number[]): Promise<void>;
}
export const EventOutbox = Symbol.for('EventOutbox');
