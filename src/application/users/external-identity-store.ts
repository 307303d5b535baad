/**
 * The links from identities of an external OpenID provider, (issuer, subject), to local
 * users. (issuer, subject) is unique: a link, once made, never moves to another user.
 */
export interface ExternalIdentityStore {
  /** The user linked to the identity, or null. */
  userIdOf(issuer: string, subject: string): Promise<string | null>;
  /**
   * Links the identity to `userId` unless it is linked already, and answers the user it is
   * linked to now: `userId`, or the user a concurrent first request linked it to.
   */
  link(issuer: string, subject: string, userId: string): Promise<string>;
}
export const ExternalIdentityStore = Symbol.for('ExternalIdentityStore');
