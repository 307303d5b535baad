import type { DomainEvent } from './domain-event.js';

/**
 * Aggregates record what happened; they never publish. The repository that saves an
 * aggregate takes its events (`pullEvents`) and appends them to the outbox in the same
 * transaction as the aggregate's rows.
 *
 * `version` counts every change the aggregate has accepted since it was created; each
 * event carries the version it produced, so projections can ignore stale or repeated
 * events. `persistedVersion` is the version the aggregate had when it was loaded (0 for
 * a new one): the repository writes only where the stored version still equals it.
 */
export abstract class AggregateRoot<E extends DomainEvent> {
  private pending: E[] = [];
  protected currentVersion: number;
  private loadedVersion: number;

  protected constructor(version: number) {
    this.currentVersion = version;
    this.loadedVersion = version;
  }

  get version(): number {
    return this.currentVersion;
  }

  /** The version this aggregate had in storage when it was loaded; 0 when it is new. */
  get persistedVersion(): number {
    return this.loadedVersion;
  }

  get isNew(): boolean {
    return this.loadedVersion === 0;
  }

  /** Records an event for the next version of this aggregate. */
  protected record(build: (version: number) => E): void {
    this.currentVersion += 1;
    this.pending.push(build(this.currentVersion));
  }

  /** Hands the recorded events to the caller (the repository) and forgets them. */
  pullEvents(): E[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /** Called by the repository once the aggregate's state and events are committed. */
  markPersisted(): void {
    this.loadedVersion = this.currentVersion;
  }
}
