import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { CommentRepository } from '../../application/comments/comment.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import type { Comment } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';
import { saveWithEvents } from './outbox.js';
import { CommentRecord, fromCommentRecord, toCommentRecord } from './records/comment.record.js';
import { isRowId } from './records/keys.js';

/** Comments in `comments`, numbered by `comments_id_seq`. */
@injectable()
export class MikroOrmCommentRepository implements CommentRepository {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  /** Sequence values are never handed out twice, even when the transaction that drew one rolls back. */
  async nextId(): Promise<number> {
    const rows = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string | number }[]>(`select nextval('comments_id_seq') as id`);
    // int8 arrives as a string from pg and as a number from PGlite.
    return Number(rows[0]?.id);
  }

  async findById(id: number): Promise<Comment | null> {
    if (!isRowId(id)) return null;
    const record = await this.orm.em.fork().findOne(CommentRecord, { id });
    return record === null ? null : fromCommentRecord(record);
  }

  save(comment: Comment): Promise<Result<void, SaveConflict>> {
    return saveWithEvents(this.orm, comment, 'comment', async (tx) => {
      const { id, ...changes } = toCommentRecord(comment);
      const current = { id, version: comment.persistedVersion };
      if (comment.isDeleted) return (await tx.nativeDelete(CommentRecord, current)) === 1;
      if (comment.isNew) {
        await tx.insert(CommentRecord, { id, ...changes });
        return true;
      }
      return (await tx.nativeUpdate(CommentRecord, current, changes)) === 1;
    });
  }
}
