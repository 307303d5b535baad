import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import {
  parseRegistration,
  User,
  type RegistrationFields,
  type UserConflictError,
  type UserValidationError,
} from '../../domain/index.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import type { UserView } from '../shared/views.js';
import { userViewOf } from '../shared/write-side-views.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export type RegisterUser = RegistrationFields;
export type RegisterUserError = UserValidationError | UserConflictError | SaveConflict;

@injectable()
export class RegisterUserHandler
  implements CommandHandler<RegisterUser, { userId: string; user: UserView }, RegisterUserError>
{
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: RegisterUser): Promise<Result<{ userId: string; user: UserView }, RegisterUserError>> {
    const fields = parseRegistration(command);
    if (fields.isErr()) return fields;
    const { username, email, password } = fields.value;

    const availability = await this.users.availability({ usernameKey: username.key, email: email.value });
    // Checked before hashing: a duplicate costs a look-up, not an argon2 run. The database's
    // unique constraints still catch a concurrent duplicate at save time.
    const available = User.ensureAvailable(availability);
    if (available.isErr()) return available;

    const registered = User.register({
      id: this.ids.newId(),
      username,
      email,
      passwordHash: await this.hasher.hash(password.value),
      now: this.clock.now(),
      availability,
    });
    if (registered.isErr()) return registered;
    const user = registered.value;
    const saved = await this.users.save(user);
    if (saved.isErr()) return Err(saved.error);
    return Ok({ userId: user.id, user: userViewOf(user.snapshot()) });
  }
}
