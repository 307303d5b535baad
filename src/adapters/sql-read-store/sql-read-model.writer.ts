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
import { SqlActiveGeneration, type SqlGenerationSource } from './sql-read-generation.js';
import type { ReadTables } from './sql-read-model.schema.js';

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
 * Projects into the read tables of one generation: the active one (the live projector,
 * bound in the container) or a fixed one (`SqlReadModelStore.writerFor`, a rebuild). The
 * generation is resolved once per call, before any transaction opens (on PGlite a query
 * awaited inside an open transaction would wait for that transaction forever), so all the
 * statements of one call write the same generation.
 *
 * Idempotence and order: every upsert compares the incoming version with the stored one
 * inside the statement or transaction that writes, so a repeated or older event changes
 * nothing. A deleted article leaves a tombstone: deletion is the last event of an
 * article, so no later publish or update of it may bring it back.
 *
 * Events may arrive out of order (several projector processes, retries): a favourite or a
 * comment of an article the read model does not hold is refused with an error when the
 * article has no tombstone — it has not been projected *yet*, and the projector retries
 * the event later — and dropped silently when it has one, since it then belongs to a
 * deleted article. Content by a user the read model does not hold is refused the same way.
 *
 * Concurrency (several projector processes, or the PostgreSQL pool): every write that
 * concerns one article (upsert, delete, favourite, comment) first takes that article's
 * transaction-scoped advisory lock, so they run one at a time per article and each
 * statement after the lock sees everything the previous holder committed. That is what
 * makes recounts exact, and what makes "the article is there" still true at commit. Locks
 * are always taken in the order user row, article, tag rows (sorted), so two writers cannot
 * wait for each other in a cycle.
 */
@injectable()
export class SqlReadModelWriter implements ReadModelWriter {
  private readonly db: SqlReadDatabase;

  constructor(
    @inject(SqlOrmToken) orm: SqlOrm,
    @inject(SqlActiveGeneration) private readonly generation: SqlGenerationSource,
  ) {
    this.db = new SqlReadDatabase(orm);
  }

  async upsertUser(user: UserRecord): Promise<void> {
    const t = await this.generation.tables();
    await this.db.transaction(async (tx) => {
      // FOR UPDATE holds back upsertArticle/addComment (FOR SHARE on this row) until the
      // embedded copies below are rewritten, so none of them can embed the old name.
      const [stored] = await tx.rows<PublicFields & { version: number }>(
        `select username, bio, image, version from ${t.users} where id = $1 for update`,
        [user.id],
      );
      if (stored && stored.version >= user.version) return;
      await tx.rows(
        `insert into ${t.users} as u (id, username, username_key, email, bio, image, version)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (id) do update set
           username = excluded.username, username_key = excluded.username_key, email = excluded.email,
           bio = excluded.bio, image = excluded.image, version = excluded.version
         where u.version < excluded.version`,
        [user.id, user.username, Username.keyOf(user.username), user.email, user.bio, user.image, user.version],
      );
      // A user who was not stored has no embedded copies yet: articles and comments embed
      // only authors found in rm_users.
      if (!stored || samePublicFields(stored, user)) return;
      const copy = [user.id, user.username, user.bio, user.image];
      // One statement per table, whatever the number of copies (a prolific author's rename).
      await tx.rows(
        `update ${t.articles} set author_username = $2, author_bio = $3, author_image = $4 where author_id = $1`,
        copy,
      );
      await tx.rows(
        `update ${t.comments} set author_username = $2, author_bio = $3, author_image = $4 where author_id = $1`,
        copy,
      );
    });
  }

  async upsertArticle(article: ArticleRecord): Promise<void> {
    const t = await this.generation.tables();
    await this.db.transaction(async (tx) => {
      const author = await lockAuthor(tx, t, article.authorId, `article ${article.id}`);
      await lockArticle(tx, t, article.id);
      const [state] = await tx.rows<{ deleted: boolean; version: number | null; tag_list: string[] | null }>(
        `select exists (select 1 from ${t.articleTombstones} d where d.id = $1) as deleted, a.version, a.tag_list
         from (select 1) as one left join ${t.articles} a on a.id = $1`,
        [article.id],
      );
      if (!state || state.deleted) return;
      if (state.version !== null && state.version >= article.version) return;
      await tx.rows(
        `insert into ${t.articles} (id, slug, title, description, body, tag_list, created_at, updated_at,
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
      await recountTags(tx, t, [...gained, ...lost]);
    });
  }

  async deleteArticle(articleId: string, version: number): Promise<void> {
    const t = await this.generation.tables();
    await this.db.transaction(async (tx) => {
      await lockArticle(tx, t, articleId);
      const [stored] = await tx.rows<{ version: number }>(`select version from ${t.articles} where id = $1`, [
        articleId,
      ]);
      if (stored && stored.version >= version) return;
      await tx.rows(
        `insert into ${t.articleTombstones} as d (id, version) values ($1, $2)
         on conflict (id) do update set version = greatest(d.version, excluded.version)`,
        [articleId, version],
      );
      const removed = await tx.rows<{ tag_list: string[] }>(
        `with comments as (delete from ${t.comments} where article_id = $1),
              favorites as (delete from ${t.favorites} where article_id = $1)
         delete from ${t.articles} where id = $1 returning tag_list`,
        [articleId],
      );
      await recountTags(tx, t, removed[0]?.tag_list ?? []);
    });
  }

  async setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void> {
    const t = await this.generation.tables();
    await this.db.rows(
      `insert into ${t.follows} as s (follower_id, followee_id, active, version) values ($1, $2, $3, $4)
       on conflict (follower_id, followee_id) do update set active = excluded.active, version = excluded.version
       where s.version < excluded.version`,
      [followerId, followeeId, active, version],
    );
  }

  async setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void> {
    const t = await this.generation.tables();
    await this.db.transaction(async (tx) => {
      await lockArticle(tx, t, articleId);
      if (!(await articleHeld(tx, t, articleId, `favourite of ${userId}`))) return;
      await tx.rows(
        `insert into ${t.favorites} as f (user_id, article_id, active, version) values ($1, $2, $3, $4)
         on conflict (user_id, article_id) do update set active = excluded.active, version = excluded.version
         where f.version < excluded.version`,
        [userId, articleId, active, version],
      );
      // Counted, not incremented: the count is right whatever was applied before, twice or
      // not at all, and the article lock makes this statement see every committed favourite.
      await tx.rows(
        `update ${t.articles} set favorites_count =
           (select count(*) from ${t.favorites} f where f.article_id = $1 and f.active)
         where id = $1`,
        [articleId],
      );
    });
  }

  async addComment(comment: CommentRecord): Promise<void> {
    const t = await this.generation.tables();
    await this.db.transaction(async (tx) => {
      const author = await lockAuthor(tx, t, comment.authorId, `comment ${comment.id}`);
      await lockArticle(tx, t, comment.articleId);
      if (!(await articleHeld(tx, t, comment.articleId, `comment ${comment.id}`))) return;
      // Comments are never edited: the first copy wins and `updatedAt` is `createdAt`.
      await tx.rows(
        `insert into ${t.comments} (id, article_id, body, created_at, updated_at,
                                    author_id, author_username, author_bio, author_image)
         select $1, $2, $3, $4::timestamptz, $4::timestamptz, $5, $6, $7, $8
         where not exists (select 1 from ${t.commentTombstones} where id = $1)
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

  async deleteComment(commentId: number): Promise<void> {
    const t = await this.generation.tables();
    await this.db.transaction(async (tx) => {
      await tx.rows(`insert into ${t.commentTombstones} (id) values ($1) on conflict (id) do nothing`, [commentId]);
      await tx.rows(`delete from ${t.comments} where id = $1`, [commentId]);
    });
  }

  async clear(): Promise<void> {
    const t = await this.generation.tables();
    await this.db.rows(
      `truncate ${t.users}, ${t.articles}, ${t.articleTombstones}, ${t.follows}, ${t.favorites},
                ${t.comments}, ${t.commentTombstones}, ${t.tags}`,
    );
  }
}

const samePublicFields = (a: PublicFields, b: PublicFields): boolean =>
  a.username === b.username && a.bio === b.bio && a.image === b.image;

/**
 * Reads the author to embed and holds their row (FOR SHARE) until commit, so a concurrent
 * rename either finishes first (and is read here) or waits and then rewrites this copy too.
 * A missing author has not been projected yet (users are projected before what they write,
 * unless events arrive out of order): refused, so the projector retries, rather than papered
 * over with a blank name.
 */
async function lockAuthor(tx: SqlStatements, t: ReadTables, authorId: string, what: string): Promise<PublicFields> {
  const [author] = await tx.rows<PublicFields>(
    `select username, bio, image from ${t.users} where id = $1 for share`,
    [authorId],
  );
  if (!author) throw new Error(`read model ${t.generation}: ${what} is by user ${authorId}, who is not projected yet`);
  return author;
}

/** Per generation: a rebuild filling a new generation never waits for the live projector. */
async function lockArticle(tx: SqlStatements, t: ReadTables, articleId: string): Promise<void> {
  await tx.rows(`select pg_advisory_xact_lock($1::int, hashtext($2)) as locked`, [
    ARTICLE_LOCK_SPACE,
    `${t.generation}:${articleId}`,
  ]);
}

/**
 * True when the article is in the read model. False when it was deleted (its tombstone):
 * what belongs to a deleted article is dropped. Throws when it is neither — it has not been
 * projected yet — so that the event is retried instead of lost. Call under the article lock.
 */
async function articleHeld(tx: SqlStatements, t: ReadTables, articleId: string, what: string): Promise<boolean> {
  const [state] = await tx.rows<{ held: boolean; deleted: boolean }>(
    `select exists (select 1 from ${t.articles} where id = $1) as held,
            exists (select 1 from ${t.articleTombstones} where id = $1) as deleted`,
    [articleId],
  );
  if (state?.held) return true;
  if (state?.deleted) return false;
  throw new Error(`read model ${t.generation}: ${what} is of article ${articleId}, which is not projected yet`);
}

/**
 * Recounts the given tags from rm_articles and drops those no article uses any more.
 * The tag rows are locked in sorted order before counting, so concurrent recounts of a
 * shared tag (from different articles, hence different article locks) run one after the
 * other and the last one counts every committed article.
 */
async function recountTags(tx: SqlStatements, t: ReadTables, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const unique = [...new Set(tags)];
  await tx.rows(
    `insert into ${t.tags} (tag, article_count)
     select tag, 0 from unnest($1::text[]) as tag order by tag collate "C"
     on conflict (tag) do nothing`,
    [unique],
  );
  await tx.rows(`select tag from ${t.tags} where tag = any($1::text[]) order by tag for update`, [unique]);
  await tx.rows(
    `update ${t.tags} r set article_count =
       (select count(*) from ${t.articles} a where a.tag_list @> array[r.tag])
     where r.tag = any($1::text[])`,
    [unique],
  );
  await tx.rows(`delete from ${t.tags} where tag = any($1::text[]) and article_count = 0`, [unique]);
}
