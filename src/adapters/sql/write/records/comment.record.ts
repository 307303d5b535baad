import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Comment } from '../../../../domain/index.js';
import { ArticleRecord } from './article.record.js';
import { aggregateColumns } from './columns.js';
import { UserRecord } from './user.record.js';

/** A row of `comments`; the id is drawn from `comments_id_seq` before the insert (nextId). */
export const CommentRecord = defineEntity({
  name: 'CommentRecord',
  tableName: 'comments',
  properties: {
    // Ids stay far below 2^53, so a JS number holds every one exactly. Declared autoincrement
    // because the column defaults to nextval(); the repository still always supplies the id.
    id: p.bigint('number').primary().autoincrement(),
    articleId: p
      .manyToOne(ArticleRecord)
      .mapToPk()
      .fieldName('article_id')
      .deleteRule('cascade')
      .index('comments_article_id_index'),
    authorId: p.manyToOne(UserRecord).mapToPk().fieldName('author_id'),
    body: p.text(),
    ...aggregateColumns(),
  },
});
export type CommentRecord = InferEntity<typeof CommentRecord>;

export const fromCommentRecord = (record: CommentRecord): Comment => Comment.rehydrate(record);
