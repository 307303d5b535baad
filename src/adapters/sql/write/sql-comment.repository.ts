import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { CommentRepository } from '../../../application/comments/comment.repository.js';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import type { Comment } from '../../../domain/index.js';
import { CommentRecord, fromCommentRecord } from './records/comment.record.js';
import { isRowId } from './records/keys.js';
import { saveWithEvents, type RowWrite } from './save-with-events.js';
import { iso, SqlWriteContext } from './sql-write-context.js';

/** How many comment ids one statement draws from the sequence, for this process to hand out. */
const ID_BLOCK = 32;

/**
 * Comments in `comments`, numbered by `comments_id_seq`. Ids are drawn ID_BLOCK at a time
 * and handed out in order, so a comment costs no statement of its own for its id: each
 * process's ids increase, and no id is handed out twice by any process, but ids of several
 * processes interleave and a process that stops leaves the rest of its block unused.
 * Nothing orders by id but the tie-break of equal creation times and the snapshot's paging.
 */
@injectable()
export class SqlCommentRepository implements CommentRepository {
  private spare: number[] = [];
  private drawing: Promise<void> | null = null;

  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  /** Sequence values are never handed out twice, even when the statement that drew one fails. */
  async nextId(): Promise<number> {
    for (;;) {
      const id = this.spare.shift();
      if (id !== undefined) return id;
      this.drawing ??= this.draw().finally(() => (this.drawing = null));
      await this.drawing;
    }
  }

  private async draw(): Promise<void> {
    const rows = await this.context.db.query<{ id: string | number }>(
      `select nextval('comments_id_seq') as id from generate_series(1, $1::int) order by 1`,
      [ID_BLOCK],
    );
    // int8 arrives as a string from pg and as a number from PGlite.
    this.spare.push(...rows.map((row) => Number(row.id)));
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
