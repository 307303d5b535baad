import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Follow, Username, type FollowError } from '../../domain/index.js';
import { userNotFound, type UserNotFound } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { referenceGoneAs, type SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { retryRaces } from '../shared/retry.js';
import type { ProfileView } from '../shared/views.js';
import { UserRepository } from '../users/user.repository.js';
import { FollowRepository } from './follow.repository.js';

export interface SetFollowing {
  readonly followerId: string;
  readonly username: string;
  /** true: follow; false: unfollow. */
  readonly following: boolean;
}

export type SetFollowingError = FollowError | UserNotFound | SaveConflict;

/**
 * Follow and unfollow: idempotent switches of one (follower, followee) pair. Two requests
 * creating the same pair at once make one of them hit the primary key; it reloads and finds
 * the pair already switched, which is success. Answers the followee's profile as the
 * follower now sees it.
 */
@injectable()
export class SetFollowingHandler implements CommandHandler<SetFollowing, ProfileView, SetFollowingError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(FollowRepository) private readonly follows: FollowRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: SetFollowing): Promise<Result<ProfileView, SetFollowingError>> {
    const followee = await this.users.findByUsernameKey(Username.keyOf(command.username));
    if (followee === null) return Err(userNotFound());
    const { username, bio, image } = followee.snapshot();

    return retryRaces(async () => {
      const now = this.clock.now();
      let follow = await this.follows.find(command.followerId, followee.id);
      if (follow === null) {
        const created = Follow.between(command.followerId, followee.id, now);
        if (created.isErr()) return created;
        follow = created.value;
      }
      follow.switchTo(command.following, now);
      const saved = await this.follows.save(follow);
      // A user the pair refers to was deleted meanwhile.
      if (saved.isErr()) return Err(referenceGoneAs(saved.error, userNotFound));
      return Ok({ username, bio, image, following: follow.active });
    });
  }
}
