import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Email, unauthenticatedError, type UnauthenticatedError } from '../../domain/index.js';
import type { CommandHandler } from '../shared/handler.js';
import type { UserView } from '../shared/views.js';
import { userViewOf } from '../shared/write-side-views.js';
import { LoginGuard, type TooManyLoginAttempts } from './login-guard.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';

export interface LoginUser {
  readonly email: string;
  readonly password: string;
  /** Where the attempt comes from (the client's IP address), for the brute-force guard. */
  readonly clientAddress?: string | undefined;
}

export type LoginError = UnauthenticatedError<'AUTH.INVALID_CREDENTIALS'> | TooManyLoginAttempts;

const invalidCredentials = (): LoginError =>
  unauthenticatedError('AUTH.INVALID_CREDENTIALS', 'email or password', 'is invalid');

/**
 * Checks credentials against the write model (the only place password hashes live) and
 * writes nothing. The answer never says which of email or password was wrong, and an
 * unknown email still costs one hash verification, so response times do not reveal which
 * emails exist. The guard refuses an account or address with too many recent failures
 * before any hash is verified.
 */
@injectable()
export class LoginUserHandler implements CommandHandler<LoginUser, { userId: string; user: UserView }, LoginError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginGuard) private readonly guard: LoginGuard,
  ) {}

  async execute(command: LoginUser): Promise<Result<{ userId: string; user: UserView }, LoginError>> {
    const email = Email.normalize(command.email);
    const refusal = await this.guard.refusal(email, command.clientAddress);
    if (refusal !== null) return Err(refusal);
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(user?.passwordHash ?? DECOY_HASH, command.password);
    if (user === null || !valid) {
      await this.guard.failed(email, command.clientAddress);
      return Err(invalidCredentials());
    }
    await this.guard.succeeded(email);
    return Ok({ userId: user.id, user: userViewOf(user.snapshot()) });
  }
}

/** An argon2id hash of a random string nobody knows; verified against when the email is unknown. */
const DECOY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$PcjESNpRSwhjB2TgUPms4A$JyzNZgkHZfGx1l3sG59u3hIEc9pwcYFEKmpJ2g48W6E';
