/**
 * A fact, named in the past tense. `aggregateId` and `version` identify the state the
 * event produced: a projection that has already seen a version >= this one for the same
 * aggregate must ignore it (order-safe, idempotent).
 */
export interface DomainEvent<T extends string = string, P = unknown> {
  readonly type: T;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly occurredAt: Date;
  readonly payload: P;
}
