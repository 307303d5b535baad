import type { Role } from '../shared/actor.js';
import type { DomainEvent } from '../shared/domain-event.js';

/** The public and private state of a user after the change; projections copy it whole. */
export interface UserSnapshotPayload {
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
}

/**
 * Who changed a role: an admin (a user id), the operator at the command line (who holds
 * the database, so no user stands behind it), or the identity provider whose roles claim
 * maps to the role.
 */
export type RoleChangedBy =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'operator' }
  | { readonly kind: 'identity-provider'; readonly issuer: string };

export type RoleChangePayload = UserSnapshotPayload & { readonly role: Role; readonly changedBy: RoleChangedBy };

export type UserRegistered = DomainEvent<'UserRegistered', UserSnapshotPayload>;
export type UserUpdated = DomainEvent<'UserUpdated', UserSnapshotPayload & { readonly previousUsername: string }>;
/** The user now holds `role` (admin). */
export type UserRoleGranted = DomainEvent<'UserRoleGranted', RoleChangePayload>;
/** The user lost the role they held and is back to `role` (user). */
export type UserRoleRevoked = DomainEvent<'UserRoleRevoked', RoleChangePayload & { readonly previousRole: Role }>;
/** Every token of the user issued before `validFrom` (an ISO instant, to the millisecond) is refused from now on. */
export type UserTokensRevoked = DomainEvent<'UserTokensRevoked', UserSnapshotPayload & { readonly validFrom: string }>;
export type UserEvent = UserRegistered | UserUpdated | UserRoleGranted | UserRoleRevoked | UserTokensRevoked;
