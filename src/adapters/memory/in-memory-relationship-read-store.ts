import { inject, injectable } from 'inversify';
import type { RelationshipReadStore } from '../../application/profiles/relationship.read-store.js';
import { InMemoryReadDatabase } from './in-memory-read-store.js';

@injectable()
export class InMemoryRelationshipReadStore implements RelationshipReadStore {
  constructor(@inject(InMemoryReadDatabase) private readonly db: InMemoryReadDatabase) {}

  async followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    const followed = this.db.follows.get(viewerId);
    return new Set(userIds.filter((id) => followed?.get(id)?.active === true));
  }

  async favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(articleIds.filter((id) => this.db.favorites.get(id)?.get(viewerId)?.active === true));
  }
}
