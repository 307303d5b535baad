import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../application/comments/comment.read-store.js';
import type { StoredComment } from '../../application/read-model/stored.js';
import { InMemoryReadSource } from './in-memory-read-store.js';

@injectable()
export class InMemoryCommentReadStore implements CommentReadStore {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async listByArticle(articleId: string): Promise<StoredComment[]> {
    const db = this.source.current();
    return [...db.comments.values()]
      .filter((c) => c.articleId === articleId)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id - b.id)
      .map((c) => db.storedComment(c));
  }

  async findById(commentId: number): Promise<StoredComment | null> {
    const db = this.source.current();
    const comment = db.comments.get(commentId);
    return comment ? db.storedComment(comment) : null;
  }
}
