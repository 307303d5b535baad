import { inject, injectable } from 'inversify';
import type { Collection, Document } from 'mongodb';
import {
  PageQueryRelationshipReadStore,
  type Relationship,
} from '../../application/read-side/relationship.read-store.js';
import { eqText, inTexts } from './filter-values.js';
import { MongoActiveCollections } from './mongo-read-database.js';

/** Each pair document's two ids (strings): the viewer's field, then the other's. */
const KEY_FIELDS: Readonly<Record<Relationship, readonly [string, string]>> = {
  follows: ['followerId', 'followeeId'],
  favorites: ['userId', 'articleId'],
};

/**
 * The viewer's follows and favourites among a page of ids: one query per call (a range of
 * the unique pair index: viewer, then `$in` over the page), none for an empty page.
 */
@injectable()
export class MongoRelationshipReadStore extends PageQueryRelationshipReadStore {
  constructor(@inject(MongoActiveCollections) private readonly active: MongoActiveCollections) {
    super();
  }

  protected activeAmong(relationship: Relationship, viewerId: string, ids: readonly string[]): Promise<ReadonlySet<string>> {
    const [viewer, other] = KEY_FIELDS[relationship];
    return this.active.read(async (collections) => {
      const pairs = collections[relationship] as unknown as Collection<Document>;
      const docs = await pairs
        .find(
          { [viewer]: eqText(viewerId), [other]: inTexts(ids), active: { $eq: true } },
          { projection: { _id: 0, [other]: 1 } },
        )
        .toArray();
      return new Set(docs.map((d) => d[other] as string));
    });
  }
}
