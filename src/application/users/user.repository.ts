import type { Result } from 'ts-results-es';
import type { Availability, User } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

/** The write model of users. `save` writes the user and its events (outbox) in one transaction. */
export interface UserRepository {
  findById(id: string): Promise<User | null>;
  /** `email` is compared normalised (trimmed, lower case). */
  findByEmail(email: string): Promise<User | null>;
  /** `usernameKey` is Username.keyOf(...): usernames are unique case-insensitively. */
  findByUsernameKey(usernameKey: string): Promise<User | null>;
  /** Whether another user (not `exceptUserId`) holds this username key or e-mail: one look-up for both. */
  availability(wanted: {
    readonly usernameKey?: string | undefined;
    readonly email?: string | undefined;
    readonly exceptUserId?: string | undefined;
  }): Promise<Availability>;
  save(user: User): Promise<Result<void, SaveConflict>>;
}
export const UserRepository = Symbol.for('UserRepository');
