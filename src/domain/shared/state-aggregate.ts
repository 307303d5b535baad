import { AggregateRoot } from './aggregate-root.js';
import type { DomainEvent } from './domain-event.js';

/**
 * An aggregate whose state is one record `S`: its snapshot is that record with the version
 * AggregateRoot keeps, and `rehydrate` hands one back. Once marked deleted, its repository
 * deletes the row instead of writing it.
 */
export abstract class StateAggregate<
  S extends { readonly id: string | number; readonly version: number },
  E extends DomainEvent,
> extends AggregateRoot<E> {
  /** The `aggregateType` of every event this aggregate records. */
  protected abstract readonly aggregateType: string;
  protected state: Omit<S, 'version'>;
  private deleted = false;

  /** From a snapshot: a stored one (rehydrating), or a new one at version 0. */
  protected constructor(snapshot: S) {
    super(snapshot.version);
    const { version: _version, ...state } = snapshot;
    this.state = state;
  }

  get id(): S['id'] {
    return (this.state as Pick<S, 'id'>).id;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  /** False when it already was: deleting twice records one deletion. */
  protected markDeleted(): boolean {
    if (this.deleted) return false;
    this.deleted = true;
    return true;
  }

  snapshot(): S {
    return { ...this.state, version: this.version } as S;
  }

  /** Records the event `type` about this aggregate, for its next version. */
  protected recordEvent<T extends E['type']>(type: T, occurredAt: Date, payload: Extract<E, { type: T }>['payload']): void {
    const aggregateType = this.aggregateType;
    const aggregateId = String(this.id);
    this.record((version) => ({ type, aggregateType, aggregateId, version, occurredAt, payload }) as unknown as E);
  }
}
