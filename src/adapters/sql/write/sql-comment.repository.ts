import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { CommentRepository } from '../../../application/comments/comment.repository.js';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import type { Comment } from '../../../domain/index.js';
import { CommentRecord, fromCommentRecord } from './records/comment.record.js';
import { isRowId } from './records/keys.js';
import { saveWithEvents, type RowWrite } from './save-with-events.js';
import { iso, SqlWriteContext } from './sql-write-context.js';

/** Comments in `comments`, numbered by `comments_id_seq`. */
@injectable()
export class SqlCommentRepository implements CommentRepository {
  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  /** Sequence values are never handed out twice, even when the statement that drew one fails. */
  async nextId(): Promise<number> {
    const [row] = await this.context.db.query<{ id: string | number }>(`select nextval('comments_id_seq') as id`);
    // int8 arrives as a string from pg and as a number from PGlite.
    return Number(row?.id);
  }

  async findById(id: number): Promise<Comment | null> {
    if (!isRowId(id)) return null;
    const record = await this.context.load((em) => em.findOne(CommentRecord, { id }));
    return record === null ? null : fromCommentRecord(record);
  }

  async save(comment: Comment): Promise<Result<void, SaveConflict>> {
    const saved = await saveWithEvents(this.context, comment, 'comment', () => rowWrite(comment));
    return saved.isOk() ? Ok(undefined) : Err(saved.error);
  }
}

function rowWrite(comment: Comment): RowWrite {
  const s = comment.snapshot();
  if (comment.isDeleted)
    return {
      ctes: [`written as (delete from comments where id = $1 and version = $2 returning 1)`],
      params: [s.id, comment.persistedVersion],
    };
  return {
    ctes: [
      `written as (insert into comments (id, article_id, author_id, body, created_at, updated_at, version)
                   values ($1, $2, $3, $4, $5, $6, $7) returning 1)`,
    ],
    params: [s.id, s.articleId, s.authorId, s.body, iso(s.createdAt), iso(s.updatedAt), s.version],
  };
}
