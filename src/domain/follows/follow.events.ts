import type { DomainEvent } from '../shared/domain-event.js';

export interface FollowPayload {
  readonly followerId: string;
  readonly followeeId: string;
}

export type UserFollowed = DomainEvent<'UserFollowed', FollowPayload>;
export type UserUnfollowed = DomainEvent<'UserUnfollowed', FollowPayload>;
export type FollowEvent = UserFollowed | UserUnfollowed;
