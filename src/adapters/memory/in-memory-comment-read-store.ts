import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../application/comments/comment.read-store.js';
import type { StoredComment } from '../../application/read-model/stored.js';
import { InMemoryReadDatabase } from './in-memory-read-store.js';

@injectable()
export class InMemoryCommentReadStore implements CommentReadStore {
  constructor(@inject(InMemoryReadDatabase) private readonly db: InMemoryReadDatabase) {}

  async listByArticle(articleId: string): Promise<StoredComment[]> {
    return [...this.db.comments.values()]
      .filter((c) => c.articleId === articleId)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id - b.id)
      .map((c) => this.db.storedComment(c));
  }

  async findById(commentId: number): Promise<StoredComment | null> {
    const comment = this.db.comments.get(commentId);
    return comment ? this.db.storedComment(comment) : null;
  }
}
