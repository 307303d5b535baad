/**
 * The viewer's own relationships, asked for a whole page at once: one call per page and
 * per relationship, never one per item.
 */
export interface RelationshipReadStore {
  /** The subset of `userIds` that `viewerId` follows. */
  followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** The subset of `articleIds` that `viewerId` has favourited. */
  favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>>;
}
export const RelationshipReadStore = Symbol.for('RelationshipReadStore');

/** The viewer's relationships: follows (to users) and favourites (to articles). */
export type Relationship = 'follows' | 'favorites';

const NONE: ReadonlySet<string> = new Set();

/**
 * A RelationshipReadStore that asks its store one query per page and relationship
 * (`activeAmong`); an empty page is answered without asking.
 */
export abstract class PageQueryRelationshipReadStore implements RelationshipReadStore {
  followedAmong(viewerId: string, userIds: readonly string[]): Promise<ReadonlySet<string>> {
    return this.among('follows', viewerId, userIds);
  }

  favoritedAmong(viewerId: string, articleIds: readonly string[]): Promise<ReadonlySet<string>> {
    return this.among('favorites', viewerId, articleIds);
  }

  /** The subset of `ids` (never empty) whose `relationship` with `viewerId` is active. */
  protected abstract activeAmong(
    relationship: Relationship,
    viewerId: string,
    ids: readonly string[],
  ): Promise<ReadonlySet<string>>;

  private async among(relationship: Relationship, viewerId: string, ids: readonly string[]): Promise<ReadonlySet<string>> {
    return ids.length === 0 ? NONE : this.activeAmong(relationship, viewerId, ids);
  }
}
