import type { DomainEvent } from './domain-event.js';
import { AggregateRoot } from './aggregate-root.js';

export interface ToggleState {
  readonly active: boolean;
  readonly version: number;
  readonly updatedAt: Date;
}

/** A toggled pair's events: switched on, switched off, each carrying the pair's ids. */
export type ToggleEvent<On extends string, Off extends string, P> = DomainEvent<On, P> | DomainEvent<Off, P>;

/**
 * A relationship that is either on or off (a follow, a favourite) between the ids of `P`.
 * It is kept, not deleted, when switched off so that its version keeps growing and every
 * event about the pair can be ordered. Switching to the state it is already in records
 * nothing: the operation is idempotent.
 */
export abstract class ToggleAggregate<P extends object, E extends DomainEvent<string, P>> extends AggregateRoot<E> {
  protected abstract readonly aggregateType: string;
  /** The event recorded when the pair is switched on, and when it is switched off. */
  protected abstract readonly eventTypes: { readonly on: E['type']; readonly off: E['type'] };

  protected constructor(
    protected readonly pair: P,
    private isActive: boolean,
    private changedAt: Date,
    version: number,
  ) {
    super(version);
  }

  abstract get id(): string;

  get active(): boolean {
    return this.isActive;
  }

  get updatedAt(): Date {
    return this.changedAt;
  }

  switchTo(active: boolean, now: Date): void {
    if (this.isActive === active) return;
    this.isActive = active;
    this.changedAt = now;
    const type = active ? this.eventTypes.on : this.eventTypes.off;
    const payload = { ...this.pair };
    this.record(
      (version) => ({ type, aggregateType: this.aggregateType, aggregateId: this.id, version, occurredAt: now, payload }) as E,
    );
  }

  snapshot(): P & ToggleState {
    return { ...this.pair, active: this.isActive, updatedAt: this.changedAt, version: this.version };
  }
}
