import { injectable } from 'inversify';
import type { ExternalIdentityStore } from '../../application/users/external-identity-store.js';

/** The in-memory twin of SqlExternalIdentities: one map, (issuer, subject) unique. */
@injectable()
export class InMemoryExternalIdentities implements ExternalIdentityStore {
  private readonly links = new Map<string, string>();

  async userIdOf(issuer: string, subject: string): Promise<string | null> {
    return this.links.get(JSON.stringify([issuer, subject])) ?? null;
  }

  async link(issuer: string, subject: string, userId: string): Promise<string> {
    const key = JSON.stringify([issuer, subject]);
    const linked = this.links.get(key);
    if (linked !== undefined) return linked;
    this.links.set(key, userId);
    return userId;
  }
}
