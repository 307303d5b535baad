import type { DomainEvent } from './domain-event.js';
import { AggregateRoot } from './aggregate-root.js';

export interface ToggleState {
  readonly active: boolean;
  readonly version: number;
  readonly updatedAt: Date;
}

/**
 * A relationship that is either on or off (a follow, a favourite). It is kept, not
 * deleted, when switched off so that its version keeps growing and every event about the
 * pair can be ordered. Switching to the state it is already in records nothing: the
 * operations are idempotent.
 */
export abstract class ToggleAggregate<E extends DomainEvent> extends AggregateRoot<E> {
  protected constructor(
    private isActive: boolean,
    private changedAt: Date,
    version: number,
  ) {
    super(version);
  }

  get active(): boolean {
    return this.isActive;
  }

  get updatedAt(): Date {
    return this.changedAt;
  }

  protected switchTo(active: boolean, now: Date, event: (version: number) => E): boolean {
    if (this.isActive === active) return false;
    this.isActive = active;
    this.changedAt = now;
    this.record(event);
    return true;
  }
}
