import type { DomainEvent } from '../shared/domain-event.js';

/** The public and private state of a user after the change; projections copy it whole. */
export interface UserSnapshotPayload {
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
}

export type UserRegistered = DomainEvent<'UserRegistered', UserSnapshotPayload>;
export type UserUpdated = DomainEvent<'UserUpdated', UserSnapshotPayload & { readonly previousUsername: string }>;
export type UserEvent = UserRegistered | UserUpdated;
