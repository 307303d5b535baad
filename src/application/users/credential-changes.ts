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
}
