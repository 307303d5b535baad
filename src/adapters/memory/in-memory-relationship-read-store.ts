import { inject, injectable } from 'inversify';
import type { RelationshipReadStore } from '../../application/read-side/relationship.read-store.js';
import { InMemoryReadSource } from './in-memory-read-store.js';

@injectable()
export class InMemoryRelationshipReadStore implements RelationshipReadStore {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    const followed = this.source.current().follows.get(viewerId);
    return new Set(userIds.filter((id) => followed?.get(id)?.active === true));
  }

  async favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>> {
    const { favorites } = this.source.current();
    return new Set(articleIds.filter((id) => favorites.get(id)?.get(viewerId)?.active === true));
  }
}
