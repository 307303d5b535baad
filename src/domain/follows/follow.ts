import { Err, Ok, type Result } from 'ts-results-es';
import { validationError, type ValidationError } from '../shared/domain-error.js';
import { ToggleAggregate, type ToggleState } from '../shared/toggle.js';
import type { FollowEvent } from './follow.events.js';

export type FollowError = ValidationError<'FOLLOW.SELF'>;

export interface FollowState extends ToggleState {
  readonly followerId: string;
  readonly followeeId: string;
}

/** Follower → followee. One per pair; following twice, or unfollowing a stranger, changes nothing. */
export class Follow extends ToggleAggregate<FollowEvent> {
  private constructor(
    readonly followerId: string,
    readonly followeeId: string,
    active: boolean,
    updatedAt: Date,
    version: number,
  ) {
    super(active, updatedAt, version);
  }

  /** A pair that has never been followed: inactive, version 0. */
  static between(followerId: string, followeeId: string, now: Date): Result<Follow, FollowError> {
    if (followerId === followeeId) return Err(validationError('FOLLOW.SELF', 'username', 'cannot follow yourself'));
    return Ok(new Follow(followerId, followeeId, false, now, 0));
  }

  static rehydrate(state: FollowState): Follow {
    return new Follow(state.followerId, state.followeeId, state.active, state.updatedAt, state.version);
  }

  get id(): string {
    return `${this.followerId}:${this.followeeId}`;
  }

  follow(now: Date): void {
    this.switchTo(true, now, (version) => this.event('UserFollowed', version, now));
  }

  unfollow(now: Date): void {
    this.switchTo(false, now, (version) => this.event('UserUnfollowed', version, now));
  }

  snapshot(): FollowState {
    return {
      followerId: this.followerId,
      followeeId: this.followeeId,
      active: this.active,
      updatedAt: this.updatedAt,
      version: this.version,
    };
  }

  private event(type: FollowEvent['type'], version: number, now: Date): FollowEvent {
    return {
      type,
      aggregateType: 'Follow',
      aggregateId: this.id,
      version,
      occurredAt: now,
      payload: { followerId: this.followerId, followeeId: this.followeeId },
    };
  }
}
