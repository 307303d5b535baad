import type { Role } from '../../domain/index.js';

/** What the API checks about the user behind a token, on every authenticated request. */
export interface CredentialState {
  readonly role: Role;
  /** Tokens issued before this instant are refused (UserState.tokensValidFrom); null: none revoked. */
  readonly tokensValidFrom: Date | null;
}

/**
 * The write model's answer to "is this token's user still there, and as what": the
 * authority on users (a read model may lag behind a registration or a role change).
 */
export interface CredentialStore {
  /** Null when no such user exists (never registered, or deleted). */
  stateOf(userId: string): Promise<CredentialState | null>;
}
export const CredentialStore = Symbol.for('CredentialStore');
