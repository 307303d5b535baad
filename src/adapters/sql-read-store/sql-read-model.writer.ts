import { inject, injectable } from 'inversify';
import type {
  ArticleRecord,
  CommentRecord,
  ReadModelWriter,
  UserRecord,
} from '../../application/projections/read-model.writer.js';
import { Username } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from '../postgres/orm.js';
import { SqlReadDatabase, type SqlStatements } from './sql-read-database.js';

/**
 * The first key of the two-key advisory locks this writer takes ("rm"), so they cannot
 * collide with advisory locks taken elsewhere on the same database.
 */
const ARTICLE_LOCK_SPACE = 0x726d;

interface PublicFields {
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

/**
 * Projects into the `rm_` tables.
 *
 * Idempotence and order: every upsert compares the incoming version with the stored one
 * inside the statement or transaction that writes, so a repeated or older event changes
 * nothing. A deleted article leaves a tombstone: deletion is the last event of an
 * article, so no later publish or update of it may bring it back.
 *
 * Concurrency (several projector processes, or the PostgreSQL pool): every write that
 * concerns one article (upsert, delete, favourite, comment) first takes that article's
 * transaction-scoped advisory lock, so they run one at a time per article and each
 * statement after the lock sees everything the previous holder committed. That is what
 * makes recounts exact. Locks are always taken in the order user row, article, tag rows
 * (sorted), so two writers cannot wait for each other in a cycle.
 *
 * Rebuild order: users before articles (authors are embedded from rm_users), articles
 * before their favourites and comments (those of an article that is not there are
 * dropped, which is what makes them die with a deleted article).
 */
@injectable()
export class SqlReadModelWriter implements ReadModelWriter {
  private readonly db: SqlReadDatabase;

  constructor(@inject(SqlOrmToken) orm: SqlOrm) {
    this.db = new SqlReadDatabase(orm);
  }

  upsertUser(user: UserRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      // FOR UPDATE holds back upsertArticle/addComment (FOR SHARE on this row) until the
      // embedded copies below are rewritten, so none of them can embed the old name.
      const [stored] = await tx.rows<PublicFields & { version: number }>(
        `select username, bio, image, version from rm_users where id = $1 for update`,
        [user.id],
      );
      if (stored && stored.version >= user.version) return;
      await tx.rows(
        `insert into rm_users (id, username, username_key, email, bio, image, version)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (id) do update set
           username = excluded.username, username_key = excluded.username_key, email = excluded.email,
           bio = excluded.bio, image = excluded.image, version = excluded.version
         where rm_users.version < excluded.version`,
        [user.id, user.username, Username.keyOf(user.username), user.email, user.bio, user.image, user.version],
      );
      // A user who was not stored has no embedded copies yet: articles and comments embed
      // only authors found in rm_users.
      if (!stored || samePublicFields(stored, user)) return;
      const copy = [user.id, user.username, user.bio, user.image];
      await tx.rows(
        `update rm_articles set author_username = $2, author_bio = $3, author_image = $4 where author_id = $1`,
        copy,
      );
      await tx.rows(
        `update rm_comments set author_username = $2, author_bio = $3, author_image = $4 where author_id = $1`,
        copy,
      );
    });
  }

  upsertArticle(article: ArticleRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      const author = await lockAuthor(tx, article.authorId, `article ${article.id}`);
      await lockArticle(tx, article.id);
      const [state] = await tx.rows<{ deleted: boolean; version: number | null; tag_list: string[] | null }>(
        `select exists (select 1 from rm_article_tombstones t where t.id = $1) as deleted, a.version, a.tag_list
         from (select 1) as one left join rm_articles a on a.id = $1`,
        [article.id],
      );
      if (!state || state.deleted) return;
      if (state.version !== null && state.version >= article.version) return;
      await tx.rows(
        `insert into rm_articles (id, slug, title, description, body, tag_list, created_at, updated_at,
                                  author_id, author_username, author_bio, author_image, version)
         values ($1, $2, $3, $4, $5, $6::text[], $7::timestamptz, $8::timestamptz, $9, $10, $11, $12, $13)
         on conflict (id) do update set
           slug = excluded.slug, title = excluded.title, description = excluded.description, body = excluded.body,
           tag_list = excluded.tag_list, created_at = excluded.created_at, updated_at = excluded.updated_at,
           author_id = excluded.author_id, author_username = excluded.author_username,
           author_bio = excluded.author_bio, author_image = excluded.author_image, version = excluded.version`,
        [
          article.id,
          article.slug,
          article.title,
          article.description,
          article.body,
          [...article.tagList],
          article.createdAt,
          article.updatedAt,
          article.authorId,
          author.username,
          author.bio,
          author.image,
          article.version,
        ],
      );
      const before = state.tag_list ?? [];
      const gained = article.tagList.filter((tag) => !before.includes(tag));
      const lost = before.filter((tag) => !article.tagList.includes(tag));
      await recountTags(tx, [...gained, ...lost]);
    });
  }

  deleteArticle(articleId: string, version: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      await lockArticle(tx, articleId);
      const [stored] = await tx.rows<{ version: number }>(`select version from rm_articles where id = $1`, [articleId]);
      if (stored && stored.version >= version) return;
      await tx.rows(
        `insert into rm_article_tombstones (id, version) values ($1, $2)
         on conflict (id) do update set version = greatest(rm_article_tombstones.version, excluded.version)`,
        [articleId, version],
      );
      const removed = await tx.rows<{ tag_list: string[] }>(
        `with comments as (delete from rm_comments where article_id = $1),
              favorites as (delete from rm_favorites where article_id = $1)
         delete from rm_articles where id = $1 returning tag_list`,
        [articleId],
      );
      await recountTags(tx, removed[0]?.tag_list ?? []);
    });
  }

  async setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void> {
    await this.db.rows(
      `insert into rm_follows (follower_id, followee_id, active, version) values ($1, $2, $3, $4)
       on conflict (follower_id, followee_id) do update set active = excluded.active, version = excluded.version
       where rm_follows.version < excluded.version`,
      [followerId, followeeId, active, version],
    );
  }

  setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      await lockArticle(tx, articleId);
      await tx.rows(
        `insert into rm_favorites (user_id, article_id, active, version)
         select $1, $2, $3, $4 where exists (select 1 from rm_articles where id = $2)
         on conflict (user_id, article_id) do update set active = excluded.active, version = excluded.version
         where rm_favorites.version < excluded.version`,
        [userId, articleId, active, version],
      );
      // Counted, not incremented: the count is right whatever was applied before, twice or
      // not at all, and the article lock makes this statement see every committed favourite.
      await tx.rows(
        `update rm_articles set favorites_count =
           (select count(*) from rm_favorites f where f.article_id = $1 and f.active)
         where id = $1`,
        [articleId],
      );
    });
  }

  addComment(comment: CommentRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      const author = await lockAuthor(tx, comment.authorId, `comment ${comment.id}`);
      await lockArticle(tx, comment.articleId);
      // Comments are never edited: the first copy wins and `updatedAt` is `createdAt`.
      await tx.rows(
        `insert into rm_comments (id, article_id, body, created_at, updated_at,
                                  author_id, author_username, author_bio, author_image)
         select $1, $2, $3, $4::timestamptz, $4::timestamptz, $5, $6, $7, $8
         where exists (select 1 from rm_articles where id = $2)
           and not exists (select 1 from rm_comment_tombstones where id = $1)
         on conflict (id) do nothing`,
        [
          comment.id,
          comment.articleId,
          comment.body,
          comment.createdAt,
          comment.authorId,
          author.username,
          author.bio,
          author.image,
        ],
      );
    });
  }

  deleteComment(commentId: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.rows(`insert into rm_comment_tombstones (id) values ($1) on conflict (id) do nothing`, [commentId]);
      await tx.rows(`delete from rm_comments where id = $1`, [commentId]);
    });
  }

  async clear(): Promise<void> {
    await this.db.rows(
      `truncate rm_users, rm_articles, rm_article_tombstones, rm_follows, rm_favorites, rm_comments, rm_comment_tombstones, rm_tags`,
    );
  }
}

const samePublicFields = (a: PublicFields, b: PublicFields): boolean =>
  a.username === b.username && a.bio === b.bio && a.image === b.image;

/**
 * Reads the author to embed and holds their row (FOR SHARE) until commit, so a concurrent
 * rename either finishes first (and is read here) or waits and then rewrites this copy too.
 * A missing author is a projection-order bug (users are projected before what they write),
 * not something to paper over with a blank name.
 */
async function lockAuthor(tx: SqlStatements, authorId: string, what: string): Promise<PublicFields> {
  const [author] = await tx.rows<PublicFields>(
    `select username, bio, image from rm_users where id = $1 for share`,
    [authorId],
  );
  if (!author) throw new Error(`read model: ${what} is by user ${authorId}, who is not in rm_users`);
  return author;
}

async function lockArticle(tx: SqlStatements, articleId: string): Promise<void> {
  await tx.rows(`select pg_advisory_xact_lock($1::int, hashtext($2)) as locked`, [ARTICLE_LOCK_SPACE, articleId]);
}

/**
 * Recounts the given tags from rm_articles and drops those no article uses any more.
 * The tag rows are locked in sorted order before counting, so concurrent recounts of a
 * shared tag (from different articles, hence different article locks) run one after the
 * other and the last one counts every committed article.
 */
async function recountTags(tx: SqlStatements, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const unique = [...new Set(tags)];
  await tx.rows(
    `insert into rm_tags (tag, article_count)
     select tag, 0 from unnest($1::text[]) as tag order by tag collate "C"
     on conflict (tag) do nothing`,
    [unique],
  );
  await tx.rows(`select tag from rm_tags where tag = any($1::text[]) order by tag for update`, [unique]);
  await tx.rows(
    `update rm_tags r set article_count =
       (select count(*) from rm_articles a where a.tag_list @> array[r.tag])
     where r.tag = any($1::text[])`,
    [unique],
  );
  await tx.rows(`delete from rm_tags where tag = any($1::text[]) and article_count = 0`, [unique]);
}

