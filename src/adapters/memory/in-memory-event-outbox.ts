import { inject, injectable } from 'inversify';
import type { EventOutbox, OutboxEntry } from '../../application/projections/event-outbox.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** The projector's side of the in-memory outbox the in-memory repositories append to. */
@injectable()
export class InMemoryEventOutbox implements EventOutbox {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async pending(limit: number): Promise<OutboxEntry[]> {
    return this.store.pendingEvents(limit);
  }

  async markApplied(positions: readonly number[]): Promise<void> {
    this.store.markApplied(positions, new Date());
  }
}
