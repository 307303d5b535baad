/**
 * The write model telling a process which users' credential state (role, revocation
 * instant, existence) changed, whoever changed it: another replica, the operator's command
 * line, a statement run by hand. PostgreSQL announces it from a trigger on `users`.
 *
 * A process may trust a state it remembered only while the feed is live: a change made
 * while it was not listening is never heard.
 */
export interface CredentialChanges {
  /** True while changes are being heard. */
  live(): boolean;
  /**
   * `listener(userId)` for each change heard; `listener(null)` when anything may have
   * changed unheard (the feed was lost or came back, or the table was emptied).
   */
  onChange(listener: (userId: string | null) => void): void;
  /**
   * Resolves once every other process listening now has heard every change committed
   * before the call (a revoking command waits for it, so that its answer means "refused
   * everywhere"). True when each confirmed it, false when some did not within the bound
   * or this process is not listening (its own feed cannot hear the confirmations).
   */
  heardEverywhere(): Promise<boolean>;
}
