import type { StoredComment } from '../read-model/stored.js';

export interface CommentReadStore {
  /** The comments of an article, oldest first. */
  listByArticle(articleId: string): Promise<StoredComment[]>;
  findById(commentId: number): Promise<StoredComment | null>;
}
export const CommentReadStore = Symbol.for('CommentReadStore');
