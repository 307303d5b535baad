import { Err, Ok, type Result } from 'ts-results-es';
import { conflictError, type ConflictError } from '../shared/domain-error.js';
import { AggregateRoot } from '../shared/aggregate-root.js';
import type { UserEvent, UserSnapshotPayload } from './user.events.js';
import { type Email, type Username } from './user-values.js';

import type { Role } from '../shared/actor.js';
export type { Role };

export type UserConflictError = ConflictError<'USER.USERNAME_TAKEN' | 'USER.EMAIL_TAKEN'>;

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
