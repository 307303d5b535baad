import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Favorite } from '../../../../domain/index.js';
import { ArticleRecord } from './article.record.js';
import { UserRecord } from './user.record.js';

/** A row of `favorites`, kept when switched off so the pair's version keeps growing. */
export const FavoriteRecord = defineEntity({
  name: 'FavoriteRecord',
  tableName: 'favorites',
  properties: {
    userId: p
      .manyToOne(UserRecord)
      .mapToPk()
      .primary()
      .fieldName('user_id')
      .deleteRule('cascade')
      .updateRule('no action'),
    articleId: p
      .manyToOne(ArticleRecord)
      .mapToPk()
      .primary()
      .fieldName('article_id')
      .deleteRule('cascade')
      .updateRule('no action')
      .index('favorites_article_id_index'),
    active: p.boolean(),
    version: p.integer(),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
  primaryKeys: ['userId', 'articleId'],
});
export type FavoriteRecord = InferEntity<typeof FavoriteRecord>;

export const fromFavoriteRecord = (record: FavoriteRecord): Favorite =>
  Favorite.rehydrate({
    userId: record.userId,
    articleId: record.articleId,
    active: record.active,
    updatedAt: record.updatedAt,
    version: record.version,
  });
