import type { ProfileView } from '../shared/views.js';

/**
 * Profiles as the write model holds them, for the answers of commands (queries read the
 * read store instead): one look-up with the viewer's `following`, never a wait for a
 * projection.
 */
export interface ProfileLookup {
  /** The user's public profile, `following` as seen by `viewerId` (false without one); null when no such user. */
  profileOf(userId: string, viewerId: string | undefined): Promise<ProfileView | null>;
}
export const ProfileLookup = Symbol.for('ProfileLookup');
