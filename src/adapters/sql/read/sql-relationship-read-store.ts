import { inject, injectable } from 'inversify';
import {
  PageQueryRelationshipReadStore,
  type Relationship,
} from '../../../application/read-side/relationship.read-store.js';
import { SqlReadContext } from './sql-read-context.js';

/** Each pair table's key columns: the viewer's, then the other's. */
const KEY_COLUMNS: Readonly<Record<Relationship, readonly [string, string]>> = {
  follows: ['follower_id', 'followee_id'],
  favorites: ['user_id', 'article_id'],
};

/**
 * The viewer's follows and favourites among a page of ids: one primary-key range probe per
 * call (`viewer = $1 and other = any($2)`), none for an empty page.
 */
@injectable()
export class SqlRelationshipReadStore extends PageQueryRelationshipReadStore {
  constructor(@inject(SqlReadContext) private readonly read: SqlReadContext) {
    super();
  }

  protected async activeAmong(
    relationship: Relationship,
    viewerId: string,
    ids: readonly string[],
  ): Promise<ReadonlySet<string>> {
    const [viewer, other] = KEY_COLUMNS[relationship];
    const rows = await this.read.query<{ id: string }>(
      (t) => `select ${other} as id from ${t[relationship]}
              where ${viewer} = $1 and ${other} = any($2::text[]) and active`,
      [viewerId, [...ids]],
    );
    return new Set(rows.map((r) => r.id));
  }
}
