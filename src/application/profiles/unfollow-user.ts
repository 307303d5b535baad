import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { CommandHandler } from '../shared/handler.js';
import { Clock } from '../shared/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { FollowRepository } from './follow.repository.js';
import { setFollowing, type FollowCommand, type FollowCommandError } from './set-following.js';

export type UnfollowUser = FollowCommand;

@injectable()
export class UnfollowUserHandler implements CommandHandler<UnfollowUser, { followeeId: string }, FollowCommandError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(FollowRepository) private readonly follows: FollowRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(command: UnfollowUser): Promise<Result<{ followeeId: string }, FollowCommandError>> {
    return setFollowing({ users: this.users, follows: this.follows, clock: this.clock }, command, false);
  }
}
