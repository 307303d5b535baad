import { inject, injectable } from 'inversify';
import type { EventOutbox, OutboxEntry, ParkedEntry } from '../../application/projections/event-outbox.js';
import { InMemoryWriteStore, type StoredEvent } from './in-memory-write-store.js';

/**
 * The projectors' side of the in-memory outbox, with the same leasing, retry and parking
 * rules as the SQL one. Every method runs without awaiting in between, so it is atomic.
 */
@injectable()
export class InMemoryEventOutbox implements EventOutbox {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async claim(owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const now = Date.now();
    const claimed: OutboxEntry[] = [];
    for (const stored of this.store.outboxToDo()) {
      if (claimed.length >= limit) break;
      if (stored.appliedAt !== null || stored.parkedAt !== null) continue;
      if (stored.nextAttemptAt !== null && stored.nextAttemptAt.getTime() > now) continue;
      if (stored.leaseExpiresAt !== null && stored.leaseExpiresAt.getTime() >= now) continue;
      stored.leaseOwner = owner;
      stored.leaseExpiresAt = new Date(now + leaseMs);
      claimed.push(InMemoryWriteStore.entryOf(stored));
    }
    return claimed;
  }

  async markApplied(_owner: string, positions: readonly number[]): Promise<void> {
    const now = new Date();
    for (const position of positions) {
      const stored = this.store.outboxAt(position);
      if (stored === undefined || stored.appliedAt !== null) continue;
      stored.appliedAt = now;
      release(stored);
    }
  }

  async markFailed(owner: string, position: number, reason: string, retryAt: Date | null): Promise<void> {
    const stored = this.store.outboxAt(position);
    if (stored === undefined || stored.appliedAt !== null) return;
    if (stored.leaseOwner !== null && stored.leaseOwner !== owner) return;
    stored.attempts += 1;
    stored.lastError = reason.slice(0, 2000);
    stored.nextAttemptAt = retryAt;
    stored.parkedAt = retryAt === null ? new Date() : null;
    release(stored);
  }

  async lastPosition(): Promise<number> {
    return this.store.lastOutboxPosition;
  }

  async projectedThrough(position: number): Promise<boolean> {
    for (const stored of this.store.outboxToDo()) {
      if (stored.position > position) return true;
      if (stored.appliedAt === null && stored.parkedAt === null) return false;
    }
    return true;
  }

  async readAfter(position: number, limit: number): Promise<OutboxEntry[]> {
    return this.store.outboxAfter(position).slice(0, limit).map(InMemoryWriteStore.entryOf);
  }

  async parked(limit: number): Promise<ParkedEntry[]> {
    return this.store
      .outboxAfter(0)
      .filter((stored) => stored.parkedAt !== null)
      .slice(0, limit)
      .map((stored) => ({
        ...InMemoryWriteStore.entryOf(stored),
        reason: stored.lastError ?? '',
        parkedAt: stored.parkedAt as Date,
      }));
  }

  async requeueParked(): Promise<number> {
    let count = 0;
    for (const stored of this.store.outboxAfter(0)) {
      if (stored.parkedAt === null) continue;
      stored.parkedAt = null;
      stored.nextAttemptAt = null;
      stored.attempts = 0;
      count += 1;
    }
    // Requeued events may sit before the first one still to do.
    this.store.rewindToDo();
    return count;
  }
}

const release = (stored: StoredEvent): void => {
  stored.leaseOwner = null;
  stored.leaseExpiresAt = null;
};
