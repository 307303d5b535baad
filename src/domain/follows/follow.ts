import { Err, Ok, type Result } from 'ts-results-es';
import { validationError, type ValidationError } from '../shared/domain-error.js';
import { ToggleAggregate, type ToggleState } from '../shared/toggle.js';
import type { FollowEvent, FollowPayload } from './follow.events.js';

export type FollowError = ValidationError<'FOLLOW.SELF'>;

export type FollowState = FollowPayload & ToggleState;

/** Follower → followee. One per pair; following twice, or unfollowing a stranger, changes nothing. */
export class Follow extends ToggleAggregate<FollowPayload, FollowEvent> {
  protected readonly aggregateType = 'Follow';
  protected readonly eventTypes = { on: 'UserFollowed', off: 'UserUnfollowed' } as const;

  /** A pair that has never been followed: inactive, version 0. */
  static between(followerId: string, followeeId: string, now: Date): Result<Follow, FollowError> {
    if (followerId === followeeId) return Err(validationError('FOLLOW.SELF', 'username', 'cannot follow yourself'));
    return Ok(new Follow({ followerId, followeeId }, false, now, 0));
  }

  static rehydrate({ followerId, followeeId, active, updatedAt, version }: FollowState): Follow {
    return new Follow({ followerId, followeeId }, active, updatedAt, version);
  }

  get id(): string {
    return `${this.pair.followerId}:${this.pair.followeeId}`;
  }
}
