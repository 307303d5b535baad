import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { ArticleRecord } from './article.record.js';
import { pairKey, switchColumns } from './columns.js';
import { UserRecord } from './user.record.js';

/** A row of `favorites`, kept when switched off so the pair's version keeps growing. */
export const FavoriteRecord = defineEntity({
  name: 'FavoriteRecord',
  tableName: 'favorites',
  properties: {
    userId: pairKey(UserRecord, 'user_id'),
    articleId: pairKey(ArticleRecord, 'article_id').index('favorites_article_id_index'),
    ...switchColumns(),
  },
  primaryKeys: ['userId', 'articleId'],
});
export type FavoriteRecord = InferEntity<typeof FavoriteRecord>;
