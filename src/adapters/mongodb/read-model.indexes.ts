import type { IndexDescription } from 'mongodb';
import type { ReadCollectionRole } from './read-model.documents.js';

/**
 * Every index of a generation, each named after the query it serves. `prepare` creates
 * them with createIndexes, which is idempotent for identical definitions; changing one
 * here makes `prepare` of an existing generation fail on a real server (a conflicting
 * index of the same name), which is the cue to rebuild into a new generation instead.
 *
 * Sort keys match the queries' sorts exactly (including `_id` as the tie-breaker), so a
 * page is read in index order and never sorted in memory.
 */
/** The article indexes a combined filter names as the set it counts within (`hint`). */
export const ARTICLES_BY_TAG = 'tag_newest';
export const ARTICLES_BY_AUTHOR = 'author_newest';

export const READ_MODEL_INDEXES: Readonly<Record<ReadCollectionRole, readonly IndexDescription[]>> = {
  users: [
    // findProfileByUsernameKey, and the author/favourited-by filters of the article list.
    { name: 'username_key_unique', key: { usernameKey: 1 }, unique: true },
  ],
  articles: [
    // findBySlug; also backs the domain's slug uniqueness.
    { name: 'slug_unique', key: { slug: 1 }, unique: true },
    // The global list, newest first.
    { name: 'newest', key: { createdAt: -1, _id: -1 } },
    // The list by tag (multikey), in page order; also a combined filter's count within a tag.
    { name: ARTICLES_BY_TAG, key: { tagList: 1, createdAt: -1, _id: -1 } },
    // The list by author and the feed ($in over followed authors, merged in page order);
    // also a combined filter's count within an author, and the bulk rewrite of an author's
    // embedded copies on a rename.
    { name: ARTICLES_BY_AUTHOR, key: { 'author.id': 1, createdAt: -1, _id: -1 } },
  ],
  articleTombstones: [],
  comments: [
    // The comments of an article, oldest first.
    { name: 'article_oldest', key: { articleId: 1, createdAt: 1, _id: 1 } },
    // The bulk rewrite of an author's embedded copies on a rename.
    { name: 'author', key: { 'author.id': 1 } },
  ],
  commentTombstones: [],
  follows: [
    // The viewer's follows among a page of users, and the followed authors of a feed.
    { name: 'pair_unique', key: { followerId: 1, followeeId: 1 }, unique: true },
  ],
  favorites: [
    // The viewer's favourites among a page, and the articles a user favourited.
    { name: 'pair_unique', key: { userId: 1, articleId: 1 }, unique: true },
    // The favourites of a deleted article, which go with it.
    { name: 'article_active', key: { articleId: 1, active: 1 } },
  ],
  tags: [
    // Popular tags: most used first, then by name.
    { name: 'popular', key: { count: -1, _id: 1 } },
  ],
  // Counts and the generation marker are read by `_id` only.
  counts: [],
};
