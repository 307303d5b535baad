import { inject, injectable } from 'inversify';
import type { RelationshipReadStore } from '../../../application/read-side/relationship.read-store.js';
import { SqlReadContext } from './sql-read-context.js';

const NONE: ReadonlySet<string> = new Set();

/**
 * The viewer's follows and favourites among a page of ids: one primary-key range probe per
 * call (`viewer = $1 and other = any($2)`), none for an empty page.
 */
@injectable()
export class SqlRelationshipReadStore implements RelationshipReadStore {
  constructor(@inject(SqlReadContext) private readonly read: SqlReadContext) {}

  async followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (userIds.length === 0) return NONE;
    const rows = await this.read.query<{ id: string }>(
      (t) => `select followee_id as id from ${t.follows}
              where follower_id = $1 and followee_id = any($2::text[]) and active`,
      [viewerId, [...userIds]],
    );
    return new Set(rows.map((r) => r.id));
  }

  async favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (articleIds.length === 0) return NONE;
    const rows = await this.read.query<{ id: string }>(
      (t) => `select article_id as id from ${t.favorites}
              where user_id = $1 and article_id = any($2::text[]) and active`,
      [viewerId, [...articleIds]],
    );
    return new Set(rows.map((r) => r.id));
  }
}
