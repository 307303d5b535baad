import { inject, injectable } from 'inversify';
import type { RelationshipReadStore } from '../../application/read-side/relationship.read-store.js';
import { eqText, inTexts } from './filter-values.js';
import { translatingOutages } from './mongo-outage.js';
import { MongoActiveCollections } from './mongo-read-database.js';

const NONE: ReadonlySet<string> = new Set();

/**
 * The viewer's follows and favourites among a page of ids: one query per call (a range of
 * the unique pair index: viewer, then `$in` over the page), none for an empty page.
 */
@injectable()
export class MongoRelationshipReadStore implements RelationshipReadStore {
  constructor(@inject(MongoActiveCollections) private readonly active: MongoActiveCollections) {}

  followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (userIds.length === 0) return Promise.resolve(NONE);
    return translatingOutages(async () => {
      const { follows } = await this.active.get();
      const docs = await follows
        .find(
          { followerId: eqText(viewerId), followeeId: inTexts(userIds), active: { $eq: true } },
          { projection: { _id: 0, followeeId: 1 } },
        )
        .toArray();
      return new Set(docs.map((d) => d.followeeId));
    });
  }

  favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (articleIds.length === 0) return Promise.resolve(NONE);
    return translatingOutages(async () => {
      const { favorites } = await this.active.get();
      const docs = await favorites
        .find(
          { userId: eqText(viewerId), articleId: inTexts(articleIds), active: { $eq: true } },
          { projection: { _id: 0, articleId: 1 } },
        )
        .toArray();
      return new Set(docs.map((d) => d.articleId));
    });
  }
}
