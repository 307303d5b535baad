import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import { NotProjectedYet } from '../../application/read-side/read-model-rules.js';
import { asInteger, asText, eqInteger, eqText, toDate } from './filter-values.js';
import { articleIsStored, isTombstoned } from './mongo-article-deletion.js';
import { isDuplicateKey, key } from './mongo-guarded-writes.js';
import type { GenerationCollections } from './mongo-read-database.js';
import { AUTHOR_FIELDS, embedded, refreshCopy } from './mongo-user-projection.js';

type CommentChange = Extract<ReadModelChange, { kind: 'comment' }>;
type CommentDeletedChange = Extract<ReadModelChange, { kind: 'comment-deleted' }>;

const commentId = (value: unknown): number => {
  const id = asInteger(value);
  if (id === null) throw new TypeError(`mongo read model: comment id ${String(value)} is not an integer`);
  return id;
};

/**
 * CommentAdded: the comment, once (comments are never edited: the first copy wins; their
 * guard is the tombstone a deletion leaves). Comments hold no counts.
 *
 * Refused (NotProjectedYet) while its author, or its article, is not stored yet; dropped,
 * with any copy an earlier attempt left, once the comment or its article is deleted.
 * Write, then check, as for favourites: a comment that lands after a deletion swept the
 * article's comments is removed again, and its author copy is refreshed if the user moved on.
 */
export async function projectComment(c: GenerationCollections, change: CommentChange): Promise<void> {
  const { comment } = change;
  const id = commentId(comment.commentId);
  const articleId = key(comment.articleId);
  const authorId = key(comment.authorId);
  const [author, commentDeleted] = await Promise.all([
    c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
    c.commentTombstones.findOne({ _id: eqInteger(id) }),
  ]);
  if (!author)
    throw new NotProjectedYet(`mongo read model: comment ${id} is by user ${authorId}, who is not stored yet`);
  if (commentDeleted || !(await articleIsStored(c, articleId, `comment ${id}`))) {
    await c.comments.deleteOne({ _id: eqInteger(id) });
    return;
  }

  let inserted = false;
  try {
    const result = await c.comments.updateOne(
      { _id: id },
      {
        $setOnInsert: {
          articleId,
          body: asText(comment.body),
          createdAt: toDate(comment.createdAt),
          author: embedded(author),
          authorVersion: author.version,
        },
      },
      { upsert: true },
    );
    inserted = result.upsertedCount === 1;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error; // a concurrent insert of the same comment: the same result
  }
  const [articleGone, commentGone, authorNow] = await Promise.all([
    isTombstoned(c, articleId),
    c.commentTombstones.findOne({ _id: eqInteger(id) }),
    c.users.findOne({ _id: eqText(authorId) }, { projection: AUTHOR_FIELDS }),
  ]);
  if (articleGone || commentGone) {
    await c.comments.deleteOne({ _id: eqInteger(id) });
    return;
  }
  // A stored copy of unknown age (not inserted now) is refreshed too; the guard keeps newer ones.
  if (authorNow && (authorNow.version > author.version || !inserted)) await refreshCopy(c.comments, id, authorNow);
}

/** CommentDeleted: the tombstone, then the comment. Idempotent. */
export async function projectCommentDeleted(c: GenerationCollections, change: CommentDeletedChange): Promise<void> {
  const id = asInteger(change.commentId);
  if (id === null) return;
  try {
    await c.commentTombstones.updateOne({ _id: id }, { $setOnInsert: { _id: id } }, { upsert: true });
  } catch (error) {
    // A concurrent deletion of the same comment inserted it first: the same result.
    if (!isDuplicateKey(error)) throw error;
  }
  await c.comments.deleteOne({ _id: eqInteger(id) });
}
