import type { ArticleSnapshotPayload } from '../../../domain/index.js';
import {
  articleCountDeltas,
  NotProjectedYet,
  removedFavoritesDeltas,
  type CountedArticle,
} from '../../../application/read-side/read-model-rules.js';
import type { ProjectionStep } from './sql-projection-step.js';

/** $1…$10 of both article statements: the snapshot's fields in table order, then the version. */
const articleParams = (article: ArticleSnapshotPayload, version: number): unknown[] => [
  article.articleId,
  article.slug,
  article.title,
  article.description,
  article.body,
  [...article.tagList],
  article.createdAt,
  article.updatedAt,
  article.authorId,
  version,
];

interface UpsertOutcome {
  readonly authors: number;
  readonly tombstoned: boolean;
  readonly prior_version: number | null;
  readonly prior_tags: string[] | null;
  readonly prior_author: string | null;
  readonly written: boolean;
}

/**
 * Upserts the article over any older version, its author embedded from the stored user
 * (held FOR SHARE until commit, so a concurrent rename either committed first and is read
 * here, or waits and then rewrites this copy too), unless a tombstone says it was deleted.
 * One statement, under the article's lock taken at the start of the transaction, so the
 * prior state it reads is the one it replaces, except for what `rewriteArticleInPlace`
 * changed meanwhile (it takes no lock): never a count's input, and never to a later
 * version than the conflict clause lets this one overwrite. The count deltas follow from
 * the prior state and the new one.
 */
export async function upsertArticle(
  { tx, t, deltas }: ProjectionStep,
  article: ArticleSnapshotPayload,
  version: number,
): Promise<void> {
  const [outcome] = await tx.query<UpsertOutcome>(
    `with author as (select username, bio, image from ${t.users} where id = $9 for share),
          prior as (select version, tag_list, author_id from ${t.articles} where id = $1),
          tomb as (select 1 from ${t.articleTombstones} where id = $1),
          up as (
            insert into ${t.articles} as a (id, slug, title, description, body, tag_list, created_at, updated_at,
                                       author_id, author_username, author_bio, author_image, version)
            select $1, $2, $3, $4, $5, $6::text[], $7::timestamptz, $8::timestamptz,
                   $9, author.username, author.bio, author.image, $10
              from author
             where not exists (select 1 from tomb) and not exists (select 1 from prior where version >= $10)
            on conflict (id) do update set
              slug = excluded.slug, title = excluded.title, description = excluded.description, body = excluded.body,
              tag_list = excluded.tag_list, created_at = excluded.created_at, updated_at = excluded.updated_at,
              author_id = excluded.author_id, author_username = excluded.author_username,
              author_bio = excluded.author_bio, author_image = excluded.author_image, version = excluded.version
            where a.version < excluded.version
            returning 1)
     select (select count(*) from author)::int as authors, exists (select 1 from tomb) as tombstoned,
            (select version from prior) as prior_version, (select tag_list from prior) as prior_tags,
            (select author_id from prior) as prior_author, exists (select 1 from up) as written`,
    articleParams(article, version),
  );
  if (!outcome || outcome.tombstoned || !outcome.written) {
    // Users are projected before what they write, unless events arrive out of order: refused,
    // so the projector retries, rather than papered over with a blank name.
    if (outcome && !outcome.tombstoned && outcome.authors === 0)
      throw new NotProjectedYet(`article ${article.articleId} is by user ${article.authorId}, who is not projected yet`);
    return;
  }
  const prior: CountedArticle | null =
    outcome.prior_version === null ? null : { authorId: outcome.prior_author ?? '', tagList: outcome.prior_tags ?? [] };
  deltas.push(...articleCountDeltas(prior, { authorId: article.authorId, tagList: article.tagList }));
}

/**
 * The common edit, in one statement that needs no transaction and no lock: the stored
 * article rewritten over an older version when its author and tags stay as they are, so
 * no count moves. Answers false, having written nothing, in every other case (not stored
 * yet, deleted, already at this version or later, tags or author changed, author not
 * projected), which `upsertArticle` then handles under the article's lock.
 *
 * Safe beside that locked path on PostgreSQL: the UPDATE rewrites the row's latest
 * version (READ COMMITTED re-checks its conditions on it), and what it changes is never
 * what a locked upsert's prior state feeds into the counts.
 */
export async function rewriteArticleInPlace(
  { tx, t }: Omit<ProjectionStep, 'deltas'>,
  article: ArticleSnapshotPayload,
  version: number,
): Promise<boolean> {
  const rows = await tx.query<{ rewritten: number }>(
    `with author as (select username, bio, image from ${t.users} where id = $9 for share)
     update ${t.articles} a
        set slug = $2, title = $3, description = $4, body = $5, created_at = $7::timestamptz,
            updated_at = $8::timestamptz, author_username = author.username, author_bio = author.bio,
            author_image = author.image, version = $10
       from author
      where a.id = $1 and a.version < $10 and a.author_id = $9 and a.tag_list = $6::text[]
     returning 1 as rewritten`,
    articleParams(article, version),
  );
  return rows.length > 0;
}

interface DeleteOutcome {
  readonly tag_list: string[] | null;
  readonly author_id: string | null;
  readonly favoriters: string[];
}

/**
 * Removes the article with its comments and favourites and leaves its tombstone (deletion is
 * an article's last event: no later publish or update may bring it back), unless the read
 * model holds a version at or past the deletion's. The favourites' users count one fewer.
 */
export async function deleteArticle({ tx, t, deltas }: ProjectionStep, articleId: string, version: number): Promise<void> {
  const [outcome] = await tx.query<DeleteOutcome>(
    `with go as (select 1 where not exists (select 1 from ${t.articles} where id = $1 and version >= $2)),
          tomb as (insert into ${t.articleTombstones} as d (id, version) select $1, $2 from go
                   on conflict (id) do update set version = greatest(d.version, excluded.version)),
          comments as (delete from ${t.comments} where article_id = $1 and exists (select 1 from go)),
          favorites as (delete from ${t.favorites} where article_id = $1 and exists (select 1 from go)
                        returning user_id, active),
          gone as (delete from ${t.articles} where id = $1 and exists (select 1 from go) returning tag_list, author_id)
     select (select tag_list from gone) as tag_list, (select author_id from gone) as author_id,
            coalesce((select array_agg(user_id) from favorites where active), '{}') as favoriters`,
    [articleId, version],
  );
  if (!outcome || outcome.author_id === null) return;
  deltas.push(
    ...articleCountDeltas({ authorId: outcome.author_id, tagList: outcome.tag_list ?? [] }, null),
    ...removedFavoritesDeltas(outcome.favoriters),
  );
}
