import { inject, injectable } from 'inversify';
import { Err, Ok, Result } from 'ts-results-es';
import {
  Email,
  PlainPassword,
  User,
  Username,
  type UserConflictError,
  type UserValidationError,
} from '../../domain/index.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import type { SaveConflict } from '../shared/persistence.js';
import type { CommandHandler } from '../shared/handler.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export interface RegisterUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

export type RegisterUserError = UserValidationError | UserConflictError | SaveConflict;

@injectable()
export class RegisterUserHandler implements CommandHandler<RegisterUser, { userId: string }, RegisterUserError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: RegisterUser): Promise<Result<{ userId: string }, RegisterUserError>> {
    const fields = Result.all([
      Username.create(command.username),
      Email.create(command.email),
      PlainPassword.create(command.password),
    ] as const);
    if (fields.isErr()) return fields;
    const [username, email, password] = fields.value;

    const [usernameTaken, emailTaken] = await Promise.all([
      this.users.isUsernameTaken(username.key),
      this.users.isEmailTaken(email.value),
    ]);
    // Checked before hashing: a duplicate costs a look-up, not an argon2 run. The database's
    // unique constraints still catch a concurrent duplicate at save time.
    const available = User.ensureAvailable({ usernameTaken, emailTaken });
    if (available.isErr()) return available;

    const registered = User.register({
      id: this.ids.newId(),
      username,
      email,
      passwordHash: await this.hasher.hash(password.value),
      now: this.clock.now(),
      availability: { usernameTaken, emailTaken },
    });
    if (registered.isErr()) return registered;
    const saved = await this.users.save(registered.value);
    if (saved.isErr()) return Err(saved.error);
    return Ok({ userId: registered.value.id });
  }
}
