import type { ToggleEvent } from '../shared/toggle.js';

export interface FollowPayload {
  readonly followerId: string;
  readonly followeeId: string;
}

export type FollowEvent = ToggleEvent<'UserFollowed', 'UserUnfollowed', FollowPayload>;
