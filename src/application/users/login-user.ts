import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Email, unauthenticatedError, type UnauthenticatedError } from '../../domain/index.js';
import type { CommandHandler } from '../shared/handler.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export interface LoginUser {
  readonly email: string;
  readonly password: string;
}

export type LoginError = UnauthenticatedError<'AUTH.INVALID_CREDENTIALS'>;

const invalidCredentials = (): LoginError =>
  unauthenticatedError('AUTH.INVALID_CREDENTIALS', 'email or password', 'is invalid');

/**
 * Checks credentials against the write model (the only place password hashes live). The
 * answer never says which of email or password was wrong, and an unknown email still
 * costs one hash verification, so response times do not reveal which emails exist.
 */
@injectable()
export class LoginUserHandler implements CommandHandler<LoginUser, { userId: string }, LoginError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
  ) {}

  async execute(command: LoginUser): Promise<Result<{ userId: string }, LoginError>> {
    const user = await this.users.findByEmail(Email.normalize(command.email));
    const valid = await this.hasher.verify(user?.passwordHash ?? DECOY_HASH, command.password);
    if (user === null || !valid) return Err(invalidCredentials());
    return Ok({ userId: user.id });
  }
}

/** An argon2id hash of a random string nobody knows; verified against when the email is unknown. */
const DECOY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$PcjESNpRSwhjB2TgUPms4A$JyzNZgkHZfGx1l3sG59u3hIEc9pwcYFEKmpJ2g48W6E';
