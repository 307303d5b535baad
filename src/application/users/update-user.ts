import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import {
  Email,
  parseBio,
  parseImage,
  PlainPassword,
  Username,
  type UserChanges,
  type UserConflictError,
  type UserValidationError,
} from '../../domain/index.js';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { Clock } from '../shared/ports.js';
import type { SaveConflict } from '../shared/persistence.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

/** Absent fields stay as they are; `null` bio/image clears them. */
export interface UpdateUser {
  readonly userId: string;
  readonly username?: string;
  readonly email?: string;
  readonly password?: string;
  readonly bio?: string | null;
  readonly image?: string | null;
}

export type UpdateUserError = UserValidationError | UserConflictError | SaveConflict | UnknownActor;

@injectable()
export class UpdateUserHandler implements CommandHandler<UpdateUser, void, UpdateUserError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: UpdateUser): Promise<Result<void, UpdateUserError>> {
    const parsed = parseChanges(command);
    if (parsed.isErr()) return parsed;
    const { username, email, password, ...rest } = parsed.value;

    const user = await this.users.findById(command.userId);
    if (user === null) return Err(unknownActor());
    const [usernameTaken, emailTaken] = await Promise.all([
      username ? this.users.isUsernameTaken(username.key, user.id) : false,
      email ? this.users.isEmailTaken(email.value, user.id) : false,
    ]);
    const changes: UserChanges = {
      ...rest,
      ...(username && { username }),
      ...(email && { email }),
      ...(password && { passwordHash: await this.hasher.hash(password.value) }),
    };
    const updated = user.update(changes, { usernameTaken, emailTaken }, this.clock.now());
    if (updated.isErr()) return updated;
    const saved = await this.users.save(user);
    return saved.isErr() ? Err(saved.error) : Ok(undefined);
  }
}

interface ParsedChanges {
  username?: Username;
  email?: Email;
  password?: PlainPassword;
  bio?: string | null;
  image?: string | null;
}

function parseChanges(command: UpdateUser): Result<ParsedChanges, UserValidationError> {
  const out: ParsedChanges = {};
  if (command.username !== undefined) {
    const r = Username.create(command.username);
    if (r.isErr()) return r;
    out.username = r.value;
  }
  if (command.email !== undefined) {
    const r = Email.create(command.email);
    if (r.isErr()) return r;
    out.email = r.value;
  }
  // An empty password field means "unchanged": settings forms send it blank.
  if (command.password !== undefined && command.password !== '') {
    const r = PlainPassword.create(command.password);
    if (r.isErr()) return r;
    out.password = r.value;
  }
  if (command.bio !== undefined) {
    const r = parseBio(command.bio);
    if (r.isErr()) return r;
    out.bio = r.value;
  }
  if (command.image !== undefined) {
    const r = parseImage(command.image);
    if (r.isErr()) return r;
    out.image = r.value;
  }
  return Ok(out);
}
