import { Err, Ok, type Result } from 'ts-results-es';
import { Follow, Username, type FollowError } from '../../domain/index.js';
import { unknownActor, userNotFound, type UnknownActor, type UserNotFound } from '../shared/errors.js';
import { RACE_RETRIES, type SaveConflict } from '../shared/persistence.js';
import type { Clock } from '../shared/ports.js';
import type { UserRepository } from '../users/user.repository.js';
import type { FollowRepository } from './follow.repository.js';

export interface FollowCommand {
  readonly followerId: string;
  readonly username: string;
}

export type FollowCommandError = FollowError | UserNotFound | UnknownActor | SaveConflict;

/**
 * Shared by follow and unfollow: both are idempotent switches of one (follower, followee)
 * pair. Two requests creating the same pair at once make one of them hit the primary key;
 * it reloads and finds the pair already switched, which is success.
 */
export async function setFollowing(
  deps: { users: UserRepository; follows: FollowRepository; clock: Clock },
  command: FollowCommand,
  active: boolean,
): Promise<Result<{ followeeId: string }, FollowCommandError>> {
  const [follower, followee] = await Promise.all([
    deps.users.findById(command.followerId),
    deps.users.findByUsernameKey(Username.keyOf(command.username)),
  ]);
  if (follower === null) return Err(unknownActor());
  if (followee === null) return Err(userNotFound());

  for (let attempt = 0; ; attempt++) {
    const now = deps.clock.now();
    let follow = await deps.follows.find(follower.id, followee.id);
    if (follow === null) {
      const created = Follow.between(follower.id, followee.id, now);
      if (created.isErr()) return created;
      follow = created.value;
    }
    if (active) follow.follow(now);
    else follow.unfollow(now);
    const saved = await deps.follows.save(follow);
    if (saved.isOk()) return Ok({ followeeId: followee.id });
    if (saved.error.code === 'REFERENCE_GONE') return Err(userNotFound());
    if (attempt >= RACE_RETRIES) return Err(saved.error);
  }
}
