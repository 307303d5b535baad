import { inject, injectable } from 'inversify';
import type { CredentialState, CredentialStore } from '../../application/users/credential-store.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** The in-memory twin of SqlCredentialStore. */
@injectable()
export class InMemoryCredentialStore implements CredentialStore {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async stateOf(userId: string): Promise<CredentialState | null> {
    const user = this.store.users.get(userId);
    return user === null ? null : { role: user.role, tokensValidFrom: user.tokensValidFrom };
  }
}
