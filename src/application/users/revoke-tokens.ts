import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { clockPast } from '../shared/clock-past.js';
import { retryRaces } from '../shared/retry.js';
import { UserRepository } from './user.repository.js';

export interface RevokeTokens {
  readonly userId: string;
}

/**
 * Sign out everywhere: every token of the user issued before now is
 * refused by every replica once this answers (the credential check's cache entry is
 * invalidated by the projection of the event, which the command waits for).
 */
@injectable()
export class RevokeTokensHandler implements CommandHandler<RevokeTokens, void, UnknownActor | SaveConflict> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: RevokeTokens): Promise<Result<void, UnknownActor | SaveConflict>> {
    const revoked = await retryRaces(async (): Promise<Result<Date, UnknownActor | SaveConflict>> => {
      const user = await this.users.findById(command.userId);
      if (user === null) return Err(unknownActor());
      user.revokeTokens(this.clock.now());
      const saved = await this.users.save(user);
      return saved.isErr() ? saved : Ok(user.tokensValidFrom ?? this.clock.now());
    });
    if (revoked.isErr()) return revoked;
    await clockPast(this.clock, revoked.value);
    return Ok(undefined);
  }
}
