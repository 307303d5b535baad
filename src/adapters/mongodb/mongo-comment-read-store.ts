import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../application/read-side/comment.read-store.js';
import type { CommentReadModel } from '../../application/read-side/read-models.js';
import { eqText } from './filter-values.js';
import { MongoActiveCollections } from './mongo-read-database.js';
import { COMMENT_PROJECTION, toComment } from './read-model.mapping.js';

/** Comments from `<generation>_comments`, authors embedded: one query per call. */
@injectable()
export class MongoCommentReadStore implements CommentReadStore {
  constructor(@inject(MongoActiveCollections) private readonly active: MongoActiveCollections) {}

  listByArticle(articleId: string): Promise<CommentReadModel[]> {
    return this.active.read(async ({ comments }) => {
      const docs = await comments
        .find({ articleId: eqText(articleId) }, { projection: COMMENT_PROJECTION })
        .sort({ createdAt: 1, _id: 1 })
        .toArray();
      return docs.map(toComment);
    });
  }
}
