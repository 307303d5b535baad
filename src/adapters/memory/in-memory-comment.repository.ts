import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { CommentRepository } from '../../application/comments/comment.repository.js';
import type { SaveConflict } from '../../application/shared/persistence.js';
import { Comment } from '../../domain/index.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** The in-memory twin of SqlCommentRepository; ids come from the store's counter. */
@injectable()
export class InMemoryCommentRepository implements CommentRepository {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async nextId(): Promise<number> {
    return this.store.nextCommentId();
  }

  async findById(id: number): Promise<Comment | null> {
    const row = this.store.comments.get(String(id));
    return row === null ? null : Comment.rehydrate(row);
  }

  async save(comment: Comment): Promise<Result<void, SaveConflict>> {
    const { comments, articles, users } = this.store;
    return this.store.save(
      comment,
      'comment',
      () => {
        const key = String(comment.id);
        if (comment.isDeleted)
          return comments.checkDelete(key, comment.persistedVersion, () => comments.delete(key));
        const row = comment.snapshot();
        if (!comment.isNew) return comments.checkUpdate(row, comment.persistedVersion);
        this.store.requireRow(articles, row.articleId, 'comments_article_id_foreign');
        this.store.requireRow(users, row.authorId, 'comments_author_id_foreign');
        return comments.checkInsert(row);
      },
      () => null,
    );
  }
}
