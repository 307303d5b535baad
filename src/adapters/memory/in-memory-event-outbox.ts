import { inject, injectable } from 'inversify';
import type {
  EventOutbox,
  OutboxBacklog,
  OutboxEntry,
  OutboxFailure,
  OutboxSubscriber,
  ParkedEntry,
} from '../../application/read-side/event-outbox.js';
import { InMemoryWriteStore, type QueuedEvent } from './in-memory-write-store.js';

const isDue = (queued: QueuedEvent, now: number): boolean =>
  queued.parkedAt === null &&
  (queued.nextAttemptAt === null || queued.nextAttemptAt <= now) &&
  (queued.leaseExpiresAt === null || queued.leaseExpiresAt < now);

/**
 * The subscribers' side of the in-memory outbox, with the same leasing, retry and parking
 * rules as the SQL one (same contract suite). Every method runs without awaiting in
 * between, so it is atomic.
 */
@injectable()
export class InMemoryEventOutbox implements EventOutbox {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async claim(subscriber: OutboxSubscriber, owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const now = Date.now();
    const due = [...this.store.queueOf(subscriber).values()].filter((queued) => isDue(queued, now));
    const awaited = (queued: QueuedEvent) => queued.awaitedUntil !== null && queued.awaitedUntil > now;
    // Awaited first, then oldest first; the queue is already in position order.
    const claimed = [...due.filter(awaited), ...due.filter((queued) => !awaited(queued))].slice(0, limit);
    for (const queued of claimed) {
      queued.leaseOwner = owner;
      queued.leaseExpiresAt = now + leaseMs;
    }
    return claimed
      .sort((a, b) => a.position - b.position)
      .map((queued) => this.store.entryAt(queued.position, queued.attempts))
      .filter((entry): entry is OutboxEntry => entry !== null);
  }

  async renew(subscriber: OutboxSubscriber, owner: string, positions: readonly number[], leaseMs: number): Promise<void> {
    const queue = this.store.queueOf(subscriber);
    for (const position of positions) {
      const queued = queue.get(position);
      if (queued?.leaseOwner === owner) queued.leaseExpiresAt = Date.now() + leaseMs;
    }
  }

  async acknowledge(subscriber: OutboxSubscriber, positions: readonly number[]): Promise<void> {
    const queue = this.store.queueOf(subscriber);
    const done = positions.filter((position) => queue.delete(position));
    if (subscriber === 'projector' && done.length > 0) this.store.signals.announceProjected(done);
  }

  async fail(subscriber: OutboxSubscriber, owner: string, position: number, { reason, retryAt }: OutboxFailure): Promise<void> {
    const queued = this.store.queueOf(subscriber).get(position);
    if (queued === undefined || (queued.leaseOwner !== null && queued.leaseOwner !== owner)) return;
    queued.attempts += 1;
    queued.lastError = reason.slice(0, 2000);
    queued.nextAttemptAt = retryAt?.getTime() ?? null;
    queued.parkedAt = retryAt === null ? new Date() : null;
    queued.leaseOwner = null;
    queued.leaseExpiresAt = null;
  }

  async backlog(subscriber: OutboxSubscriber, countUpTo = Number.POSITIVE_INFINITY): Promise<OutboxBacklog> {
    let pending = 0;
    let parked = 0;
    let oldest: number | null = null;
    for (const queued of this.store.queueOf(subscriber).values()) {
      if (queued.parkedAt !== null) {
        parked += 1;
        continue;
      }
      pending += 1;
      const occurredAt = this.store.occurredAt(queued.position);
      if (occurredAt !== null && (oldest === null || occurredAt < oldest)) oldest = occurredAt;
    }
    return { pending: Math.min(pending, countUpTo), parked: Math.min(parked, countUpTo), oldestAgeMs: oldest === null ? null : Date.now() - oldest };
  }

  async lastPosition(): Promise<number> {
    return this.store.lastPosition;
  }

  async readAfter(position: number, limit: number): Promise<OutboxEntry[]> {
    return this.store
      .logAfter(position)
      .slice(0, limit)
      .map((logged) => this.store.entryAt(logged.position, 0))
      .filter((entry): entry is OutboxEntry => entry !== null);
  }

  async parked(subscriber: OutboxSubscriber, limit: number): Promise<ParkedEntry[]> {
    const parked: ParkedEntry[] = [];
    for (const queued of this.store.queueOf(subscriber).values()) {
      if (parked.length >= limit) break;
      if (queued.parkedAt === null) continue;
      const entry = this.store.entryAt(queued.position, queued.attempts);
      if (entry) parked.push({ ...entry, reason: queued.lastError ?? '', parkedAt: queued.parkedAt });
    }
    return parked;
  }

  async requeueParked(subscriber: OutboxSubscriber): Promise<number> {
    let count = 0;
    for (const queued of this.store.queueOf(subscriber).values()) {
      if (queued.parkedAt === null) continue;
      queued.parkedAt = null;
      queued.nextAttemptAt = null;
      queued.attempts = 0;
      count += 1;
    }
    return count;
  }

  async subscribe(subscriber: OutboxSubscriber): Promise<void> {
    this.store.subscribe(subscriber);
  }
}
