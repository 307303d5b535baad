import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import {
  parseAccountChange,
  type AccountFields,
  type UserConflictError,
  type UserValidationError,
} from '../../domain/index.js';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { clockPast } from '../shared/clock-past.js';
import { retryRaces } from '../shared/retry.js';
import type { UserView } from '../shared/views.js';
import { userViewOf } from '../shared/write-side-views.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

/** Absent fields stay as they are; `null` bio/image clears them; an empty password is no change. */
export interface UpdateUser extends AccountFields {
  readonly userId: string;
}

export type UpdateUserError = UserValidationError | UserConflictError | SaveConflict | UnknownActor;

/**
 * A partial change of the account. When another request changed the user between load and
 * save (optimistic concurrency), the change is applied again to the fresh state — as
 * UpdateArticle does — so concurrent changes of different fields both land.
 */
@injectable()
export class UpdateUserHandler implements CommandHandler<UpdateUser, UserView, UpdateUserError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: UpdateUser): Promise<Result<UserView, UpdateUserError>> {
    const parsed = parseAccountChange(command);
    if (parsed.isErr()) return parsed;
    const { username, email, password, ...rest } = parsed.value;
    // Hashed once, outside the retries: argon2 is the costly part of the request.
    const passwordHash = password ? await this.hasher.hash(password.value) : undefined;

    const updated = await retryRaces(async (): Promise<Result<{ view: UserView; revokedAt: Date | null }, UpdateUserError>> => {
      const user = await this.users.findById(command.userId);
      if (user === null) return Err(unknownActor());
      const availability = await this.users.availability({
        usernameKey: username?.key,
        email: email?.value,
        exceptUserId: user.id,
      });
      const changes = {
        ...rest,
        ...(username && { username }),
        ...(email && { email }),
        ...(passwordHash !== undefined && { passwordHash }),
      };
      const before = user.tokensValidFrom;
      const changed = user.update(changes, availability, this.clock.now());
      if (changed.isErr()) return changed;
      const saved = await this.users.save(user);
      if (saved.isErr()) return Err(saved.error);
      return Ok({ view: userViewOf(user.snapshot()), revokedAt: user.tokensValidFrom === before ? null : user.tokensValidFrom });
    });
    if (updated.isErr()) return updated;
    // A new password or e-mail revoked the older tokens: answer once a fresh token is newer.
    if (updated.value.revokedAt !== null) await clockPast(this.clock, updated.value.revokedAt);
    return Ok(updated.value.view);
  }
}
