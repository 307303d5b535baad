import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../application/read-side/comment.read-store.js';
import type { CommentReadModel } from '../../application/read-side/read-models.js';
import { InMemoryReadSource } from './in-memory-read-store.js';

@injectable()
export class InMemoryCommentReadStore implements CommentReadStore {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async listByArticle(articleId: string): Promise<CommentReadModel[]> {
    const db = this.source.current();
    return [...db.comments.values()]
      .filter((c) => c.articleId === articleId)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id - b.id)
      .map((c) => db.storedComment(c));
  }
}
