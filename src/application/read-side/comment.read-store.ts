import type { CommentReadModel } from './read-models.js';

export interface CommentReadStore {
  /** The comments of an article, oldest first. */
  listByArticle(articleId: string): Promise<CommentReadModel[]>;
}
export const CommentReadStore = Symbol.for('CommentReadStore');
