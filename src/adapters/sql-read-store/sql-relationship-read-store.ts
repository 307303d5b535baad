import { inject, injectable } from 'inversify';
import type { RelationshipReadStore } from '../../application/profiles/relationship.read-store.js';
import { SqlOrmToken, type SqlOrm } from '../postgres/orm.js';
import { SqlReadDatabase } from './sql-read-database.js';
import { SqlActiveGeneration, type SqlGenerationSource } from './sql-read-generation.js';

const NONE: ReadonlySet<string> = new Set();

/**
 * The viewer's follows and favourites among a page of ids: one primary-key range probe per
 * call (`viewer = $1 and other = any($2)`), none for an empty page.
 */
@injectable()
export class SqlRelationshipReadStore implements RelationshipReadStore {
  private readonly db: SqlReadDatabase;

  constructor(
    @inject(SqlOrmToken) orm: SqlOrm,
    @inject(SqlActiveGeneration) private readonly generation: SqlGenerationSource,
  ) {
    this.db = new SqlReadDatabase(orm);
  }

  async followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (userIds.length === 0) return NONE;
    const t = await this.generation.tables();
    const rows = await this.db.rows<{ id: string }>(
      `select followee_id as id from ${t.follows}
       where follower_id = $1 and followee_id = any($2::text[]) and active`,
      [viewerId, [...userIds]],
    );
    return new Set(rows.map((r) => r.id));
  }

  async favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (articleIds.length === 0) return NONE;
    const t = await this.generation.tables();
    const rows = await this.db.rows<{ id: string }>(
      `select article_id as id from ${t.favorites}
       where user_id = $1 and article_id = any($2::text[]) and active`,
      [viewerId, [...articleIds]],
    );
    return new Set(rows.map((r) => r.id));
  }
}
