import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../application/comments/comment.read-store.js';
import type { StoredComment } from '../../application/read-model/stored.js';
import { asInteger, eqInteger, eqText } from './filter-values.js';
import { MongoReadDatabase } from './mongo-read-database.js';
import { COMMENT_PROJECTION, toComment } from './read-model.mapping.js';

/** Comments from `<generation>_comments`, authors embedded: one query per call. */
@injectable()
export class MongoCommentReadStore implements CommentReadStore {
  constructor(@inject(MongoReadDatabase) private readonly db: MongoReadDatabase) {}

  async listByArticle(articleId: string): Promise<StoredComment[]> {
    const { comments } = await this.db.active();
    const docs = await comments
      .find({ articleId: eqText(articleId) }, { projection: COMMENT_PROJECTION })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(toComment);
  }

  async findById(commentId: number): Promise<StoredComment | null> {
    const id = asInteger(commentId);
    if (id === null) return null;
    const { comments } = await this.db.active();
    const doc = await comments.findOne({ _id: eqInteger(id) }, { projection: COMMENT_PROJECTION });
    return doc ? toComment(doc) : null;
  }
}
