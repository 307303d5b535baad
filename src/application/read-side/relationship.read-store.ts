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
