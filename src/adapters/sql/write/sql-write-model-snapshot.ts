import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../../../application/read-side/read-model-changes.js';
import {
  checkBatchSize,
  type WriteModelCounts,
  type WriteModelSnapshot,
} from '../../../application/read-side/write-model-snapshot.js';
import { isoTimestamp as iso, SqlDatabase } from '../sql-database.js';

/**
 * One keyset-paginated listing: `first` reads the first batch, `after` the batch after the
 * last row of the previous one (`where (key columns) > (previous key) order by key limit n`).
 * Both end in `limit $n` where n is the last parameter.
 */
interface Listing<Row, Item> {
  readonly first: string;
  readonly after: string;
  readonly keyOf: (row: Row) => unknown[];
  readonly toItem: (row: Row) => Item;
}

interface UserRow {
  id: string;
  username: string;
  email: string;
  bio: string | null;
  image: string | null;
  version: number;
}

interface ArticleRow {
  id: string;
  author_id: string;
  slug: string;
  title: string;
  description: string;
  body: string;
  tag_list: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

/** A switched pair (follows, favourites), its two key columns read as `first` and `second`. */
interface PairRow {
  first: string;
  second: string;
  active: boolean;
  version: number;
}

interface CommentRow {
  id: string | number;
  article_id: string;
  author_id: string;
  body: string;
  created_at: string;
}

const USERS: Listing<UserRow, ReadModelChange> = {
  first: `select id, username, email, bio, image, version from users order by id limit $1`,
  after: `select id, username, email, bio, image, version from users where id > $1::uuid order by id limit $2`,
  keyOf: (row) => [row.id],
  toItem: (row) => ({
    kind: 'user',
    user: { userId: row.id, username: row.username, email: row.email, bio: row.bio, image: row.image },
    version: row.version,
  }),
};

const ARTICLE_COLUMNS = `id, author_id, slug, title, description, body, tag_list,
  ${iso('created_at')} as created_at, ${iso('updated_at')} as updated_at, version`;

const ARTICLES: Listing<ArticleRow, ReadModelChange> = {
  first: `select ${ARTICLE_COLUMNS} from articles order by id limit $1`,
  after: `select ${ARTICLE_COLUMNS} from articles where id > $1::uuid order by id limit $2`,
  keyOf: (row) => [row.id],
  toItem: (row) => ({
    kind: 'article',
    article: {
      articleId: row.id,
      authorId: row.author_id,
      slug: row.slug,
      title: row.title,
      description: row.description,
      body: row.body,
      tagList: [...row.tag_list],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    },
    version: row.version,
  }),
};

/** A pair table in the order of its composite primary key (`keys`). */
function pairListing(
  table: string,
  keys: readonly [string, string],
  toItem: (row: PairRow) => ReadModelChange,
): Listing<PairRow, ReadModelChange> {
  const [first, second] = keys;
  const columns = `${first} as first, ${second} as second, active, version from ${table}`;
  return {
    first: `select ${columns} order by ${first}, ${second} limit $1`,
    // A row comparison walks the composite primary key from the previous pair on.
    after: `select ${columns} where (${first}, ${second}) > ($1::uuid, $2::uuid) order by ${first}, ${second} limit $3`,
    keyOf: (row) => [row.first, row.second],
    toItem,
  };
}

const FOLLOWS = pairListing('follows', ['follower_id', 'followee_id'], (row) => ({
  kind: 'follow',
  pair: { followerId: row.first, followeeId: row.second },
  active: row.active,
  version: row.version,
}));

const FAVORITES = pairListing('favorites', ['user_id', 'article_id'], (row) => ({
  kind: 'favorite',
  pair: { userId: row.first, articleId: row.second },
  active: row.active,
  version: row.version,
}));

const COMMENT_COLUMNS = `id, article_id, author_id, body, ${iso('created_at')} as created_at`;

const COMMENTS: Listing<CommentRow, ReadModelChange> = {
  first: `select ${COMMENT_COLUMNS} from comments order by id limit $1`,
  after: `select ${COMMENT_COLUMNS} from comments where id > $1::bigint order by id limit $2`,
  // bigint arrives as text from node-postgres; the key goes back as text too (exact).
  keyOf: (row) => [String(row.id)],
  toItem: (row) => ({
    kind: 'comment',
    comment: {
      commentId: Number(row.id),
      articleId: row.article_id,
      authorId: row.author_id,
      body: row.body,
      createdAt: row.created_at,
    },
  }),
};

/**
 * The write model for rebuilds, read in primary-key order one bounded batch at a time.
 * Each batch is one statement on its own (no transaction held open between batches: on
 * PGlite an open transaction would block the API, on PostgreSQL a long snapshot would hold
 * back vacuum), and each is an index range scan from the previous key (no OFFSET, so the
 * last batch costs what the first did).
 */
@injectable()
export class SqlWriteModelSnapshot implements WriteModelSnapshot {
  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async counts(): Promise<WriteModelCounts> {
    const [row] = await this.db.query<WriteModelCounts>(
      `select (select count(*) from users)::int as users,
              (select count(*) from articles)::int as articles,
              (select count(*) from follows)::int as follows,
              (select count(*) from favorites)::int as favorites,
              (select count(*) from comments)::int as comments`,
    );
    if (!row) throw new Error('counting the write model answered no row');
    return row;
  }

  users(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return this.list(USERS, batchSize);
  }

  articles(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return this.list(ARTICLES, batchSize);
  }

  follows(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return this.list(FOLLOWS, batchSize);
  }

  favorites(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return this.list(FAVORITES, batchSize);
  }

  comments(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return this.list(COMMENTS, batchSize);
  }

  private list<Row, Item>(listing: Listing<Row, Item>, batchSize: number): AsyncIterable<readonly Item[]> {
    checkBatchSize(batchSize);
    const rows = <R>(sql: string, params: unknown[]) => this.db.query<R>(sql, params);
    return {
      async *[Symbol.asyncIterator]() {
        let batch = await rows<Row>(listing.first, [batchSize]);
        while (batch.length > 0) {
          yield batch.map(listing.toItem);
          if (batch.length < batchSize) return;
          const last = batch[batch.length - 1] as Row;
          batch = await rows<Row>(listing.after, [...listing.keyOf(last), batchSize]);
        }
      },
    };
  }
}
