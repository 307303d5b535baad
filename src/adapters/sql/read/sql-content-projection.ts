import type { CommentAddedPayload, UserSnapshotPayload } from '../../../domain/index.js';
import { Username } from '../../../domain/index.js';
import { embeddedAuthorChanged, NotProjectedYet } from '../../../application/read-side/read-model-rules.js';
import type { ProjectionStep } from './sql-projection-step.js';

interface UserOutcome {
  readonly prior_username: string | null;
  readonly prior_bio: string | null;
  readonly prior_image: string | null;
  readonly written: boolean;
}

/**
 * Upserts the user over any older version and, when the public fields changed, rewrites
 * every embedded copy in one statement per table (a prolific author's rename costs two
 * statements). The user's row stays locked (FOR UPDATE) until commit, which holds back
 * articles and comments that embed it (FOR SHARE) until the copies are rewritten.
 */
export async function upsertUser({ tx, t }: ProjectionStep, user: UserSnapshotPayload, version: number): Promise<void> {
  const [outcome] = await tx.query<UserOutcome>(
    `with prior as (select username, bio, image from ${t.users} where id = $1 for update),
          up as (insert into ${t.users} as u (id, username, username_key, email, bio, image, version)
                 values ($1, $2, $3, $4, $5, $6, $7)
                 on conflict (id) do update set
                   username = excluded.username, username_key = excluded.username_key, email = excluded.email,
                   bio = excluded.bio, image = excluded.image, version = excluded.version
                 where u.version < excluded.version
                 returning 1)
     select (select username from prior) as prior_username, (select bio from prior) as prior_bio,
            (select image from prior) as prior_image, exists (select 1 from up) as written`,
    [user.userId, user.username, Username.keyOf(user.username), user.email, user.bio, user.image, version],
  );
  // A user that was not stored has no embedded copies yet: content embeds only stored authors.
  if (!outcome?.written || outcome.prior_username === null) return;
  const prior = { username: outcome.prior_username, bio: outcome.prior_bio, image: outcome.prior_image };
  if (!embeddedAuthorChanged(prior, user)) return;
  const copy = [user.userId, user.username, user.bio, user.image];
  await tx.query(
    `update ${t.articles} set author_username = $2, author_bio = $3, author_image = $4 where author_id = $1`,
    copy,
  );
  await tx.query(
    `update ${t.comments} set author_username = $2, author_bio = $3, author_image = $4 where author_id = $1`,
    copy,
  );
}

interface CommentOutcome {
  readonly authors: number;
  readonly held: boolean;
  readonly deleted: boolean;
}

/**
 * Comments are never edited: the first copy wins and `updatedAt` is `createdAt`. One left
 * a tombstone when deleted, so a late or replayed CommentAdded cannot bring it back.
 */
export async function addComment({ tx, t }: ProjectionStep, comment: CommentAddedPayload): Promise<void> {
  const [outcome] = await tx.query<CommentOutcome>(
    `with author as (select username, bio, image from ${t.users} where id = $5 for share),
          held as (select 1 from ${t.articles} where id = $2),
          ins as (insert into ${t.comments} (id, article_id, body, created_at, updated_at,
                                             author_id, author_username, author_bio, author_image)
                  select $1, $2, $3, $4::timestamptz, $4::timestamptz, $5, author.username, author.bio, author.image
                    from author
                   where exists (select 1 from held)
                     and not exists (select 1 from ${t.commentTombstones} where id = $1)
                  on conflict (id) do nothing)
     select (select count(*) from author)::int as authors, exists (select 1 from held) as held,
            exists (select 1 from ${t.articleTombstones} where id = $2) as deleted`,
    [comment.commentId, comment.articleId, comment.body, comment.createdAt, comment.authorId],
  );
  if (outcome?.held) {
    if (outcome.authors === 0)
      throw new NotProjectedYet(`comment ${comment.commentId} is by user ${comment.authorId}, who is not projected yet`);
    return;
  }
  if (outcome?.deleted) return;
  throw new NotProjectedYet(`comment ${comment.commentId} is of article ${comment.articleId}, which is not projected yet`);
}

export async function deleteComment({ tx, t }: ProjectionStep, commentId: number): Promise<void> {
  await tx.query(
    `with tomb as (insert into ${t.commentTombstones} (id) values ($1) on conflict (id) do nothing)
     delete from ${t.comments} where id = $1`,
    [commentId],
  );
}
