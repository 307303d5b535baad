import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Article } from '../../../../domain/index.js';
import { aggregateColumns } from './columns.js';
import { TextArrayType } from './text-array.type.js';
import { UserRecord } from './user.record.js';

/** A row of `articles`. */
export const ArticleRecord = defineEntity({
  name: 'ArticleRecord',
  tableName: 'articles',
  properties: {
    id: p.uuid().primary(),
    authorId: p.manyToOne(UserRecord).mapToPk().fieldName('author_id').index('articles_author_id_index'),
    slug: p.text().unique('articles_slug_unique'),
    title: p.text(),
    description: p.text(),
    body: p.text(),
    tagList: p.type(TextArrayType).defaultRaw(`'{}'`),
    ...aggregateColumns(),
  },
});
export type ArticleRecord = InferEntity<typeof ArticleRecord>;

export const fromArticleRecord = (record: ArticleRecord): Article => Article.rehydrate(record);
