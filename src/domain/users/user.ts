import { Err, Ok, type Result } from 'ts-results-es';
import { conflictError, forbiddenError, type ConflictError, type ForbiddenError } from '../shared/domain-error.js';
import { AggregateRoot } from '../shared/aggregate-root.js';
import type { RoleChangedBy, UserEvent, UserSnapshotPayload } from './user.events.js';
import { type Email, type Username } from './user-values.js';

import type { Actor, Role } from '../shared/actor.js';
export type { Role };

export type UserConflictError = ConflictError<'USER.USERNAME_TAKEN' | 'USER.EMAIL_TAKEN'>;
export type RoleChangeError = ForbiddenError<'ROLE.NOT_ADMIN' | 'ROLE.OWN_ROLE'>;

/** Who asks for a role change: an authenticated user (see `changeRole`), or an authority above users. */
export type RoleChanger = { readonly kind: 'user'; readonly actor: Actor } | Exclude<RoleChangedBy, { kind: 'user' }>;

/** What the repository found already in use by another user (the database backs it up). */
export interface Availability {
  readonly usernameTaken: boolean;
  readonly emailTaken: boolean;
}

export interface UserState {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly role: Role;
  /**
   * Tokens of this user issued before this instant are refused; null when
   * nothing was ever revoked. Moved forward by a password or e-mail change and by
   * `revokeTokens` (sign out everywhere), never back.
   */
  readonly tokensValidFrom: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export interface UserChanges {
  readonly username?: Username;
  readonly email?: Email;
  readonly passwordHash?: string;
  readonly bio?: string | null;
  readonly image?: string | null;
}

export const usernameTaken = (): UserConflictError =>
  conflictError('USER.USERNAME_TAKEN', 'username', 'has already been taken');
export const emailTaken = (): UserConflictError => conflictError('USER.EMAIL_TAKEN', 'email', 'has already been taken');

const checkAvailability = (availability: Availability): Result<void, UserConflictError> => {
  if (availability.usernameTaken) return Err(usernameTaken());
  if (availability.emailTaken) return Err(emailTaken());
  return Ok(undefined);
};

export class User extends AggregateRoot<UserEvent> {
  private constructor(private state: Omit<UserState, 'version'>, version: number) {
    super(version);
  }

  static register(input: {
    readonly id: string;
    readonly username: Username;
    readonly email: Email;
    readonly passwordHash: string;
    readonly now: Date;
    readonly availability: Availability;
  }): Result<User, UserConflictError> {
    const available = checkAvailability(input.availability);
    if (available.isErr()) return available;
    const user = new User(
      {
        id: input.id,
        username: input.username.value,
        email: input.email.value,
        passwordHash: input.passwordHash,
        bio: null,
        image: null,
        role: 'user',
        tokensValidFrom: null,
        createdAt: input.now,
        updatedAt: input.now,
      },
      0,
    );
    user.record((version) => ({
      type: 'UserRegistered',
      aggregateType: 'User',
      aggregateId: user.id,
      version,
      occurredAt: input.now,
      payload: user.payload(),
    }));
    return Ok(user);
  }

  /** The uniqueness rule on its own, so a caller can refuse a duplicate before costly work. */
  static ensureAvailable(availability: Availability): Result<void, UserConflictError> {
    return checkAvailability(availability);
  }

  /** Persistence-only path: rebuilds a stored user without validating or recording. */
  static rehydrate(state: UserState): User {
    const { version, ...rest } = state;
    return new User(rest, version);
  }

  /**
   * Applies the changes that differ from the current state. Availability must have been
   * checked for the new username/email, if any. No change, no event.
   */
  update(changes: UserChanges, availability: Availability, now: Date): Result<void, UserConflictError> {
    const next = { ...this.state };
    if (changes.username !== undefined && changes.username.value !== this.state.username) {
      // A change of case only keeps the same key, so it is not a conflict with oneself.
      next.username = changes.username.value;
    }
    if (changes.email !== undefined && changes.email.value !== this.state.email) next.email = changes.email.value;
    if (changes.passwordHash !== undefined) next.passwordHash = changes.passwordHash;
    if (changes.bio !== undefined) next.bio = changes.bio;
    if (changes.image !== undefined) next.image = changes.image;

    const checked = checkAvailability({
      usernameTaken: next.username !== this.state.username && availability.usernameTaken,
      emailTaken: next.email !== this.state.email && availability.emailTaken,
    });
    if (checked.isErr()) return checked;

    const publicChange =
      next.username !== this.state.username ||
      next.email !== this.state.email ||
      next.bio !== this.state.bio ||
      next.image !== this.state.image;
    const passwordChange = next.passwordHash !== this.state.passwordHash;
    if (!publicChange && !passwordChange) return Ok(undefined);

    const previousUsername = this.state.username;
    // A new password or e-mail address ends every session opened with the old ones.
    if (passwordChange || next.email !== this.state.email) next.tokensValidFrom = laterOf(this.state.tokensValidFrom, now);
    this.state = { ...next, updatedAt: now };
    this.record((version) => ({
      type: 'UserUpdated',
      aggregateType: 'User',
      aggregateId: this.id,
      version,
      occurredAt: now,
      payload: { ...this.payload(), previousUsername },
    }));
    return Ok(undefined);
  }

  /**
   * Gives the user `role`. An admin may change anyone's role but their own (so the last
   * admin cannot lock everyone out by accident, and nobody promotes themselves); a user
   * may change none. The operator and the identity provider stand above users. Answers
   * whether anything changed: the same role again records nothing.
   */
  changeRole(role: Role, by: RoleChanger, now: Date): Result<boolean, RoleChangeError> {
    if (by.kind === 'user') {
      if (by.actor.userId === this.state.id)
        return Err(forbiddenError('ROLE.OWN_ROLE', 'role', 'nobody may change their own role'));
      if (by.actor.role !== 'admin') return Err(forbiddenError('ROLE.NOT_ADMIN', 'role', 'only an admin may change roles'));
    }
    if (role === this.state.role) return Ok(false);
    const previousRole = this.state.role;
    this.state = { ...this.state, role, updatedAt: now };
    const changedBy: RoleChangedBy = by.kind === 'user' ? { kind: 'user', userId: by.actor.userId } : by;
    const base = { aggregateType: 'User', aggregateId: this.id, occurredAt: now } as const;
    if (role === 'admin')
      this.record((version) => ({ ...base, type: 'UserRoleGranted', version, payload: { ...this.payload(), role, changedBy } }));
    else
      this.record((version) => ({
        ...base,
        type: 'UserRoleRevoked',
        version,
        payload: { ...this.payload(), role, previousRole, changedBy },
      }));
    return Ok(true);
  }

  /** Signs the user out everywhere: every token issued before `now` is refused. */
  revokeTokens(now: Date): void {
    const validFrom = laterOf(this.state.tokensValidFrom, now);
    this.state = { ...this.state, tokensValidFrom: validFrom, updatedAt: now };
    this.record((version) => ({
      type: 'UserTokensRevoked',
      aggregateType: 'User',
      aggregateId: this.id,
      version,
      occurredAt: now,
      payload: { ...this.payload(), validFrom: validFrom.toISOString() },
    }));
  }

  /** Whether a token issued at `issuedAtMs` (milliseconds since the epoch) still stands. */
  acceptsTokenIssuedAt(issuedAtMs: number): boolean {
    return tokenStands(this.state.tokensValidFrom, issuedAtMs);
  }

  get id(): string {
    return this.state.id;
  }
  get username(): string {
    return this.state.username;
  }
  get email(): string {
    return this.state.email;
  }
  get passwordHash(): string {
    return this.state.passwordHash;
  }
  get role(): Role {
    return this.state.role;
  }
  get tokensValidFrom(): Date | null {
    return this.state.tokensValidFrom;
  }
  get isAdmin(): boolean {
    return this.state.role === 'admin';
  }

  snapshot(): UserState {
    return { ...this.state, version: this.version };
  }

  private payload(): UserSnapshotPayload {
    const { id, username, email, bio, image } = this.state;
    return { userId: id, username, email, bio, image };
  }
}

/** Never moves back: a revocation can only refuse more tokens. */
function laterOf(current: Date | null, now: Date): Date {
  return current !== null && current.getTime() > now.getTime() ? current : now;
}

/**
 * The revocation rule on its own, for a caller that holds only the stored instant (a
 * cached credential state): a token issued before the instant, or in its very
 * millisecond, is refused (within one millisecond the order of a revocation and a token
 * cannot be told, and a revocation must win).
 */
export const tokenStands = (tokensValidFrom: Date | null, issuedAtMs: number): boolean =>
  tokensValidFrom === null || issuedAtMs > tokensValidFrom.getTime();
