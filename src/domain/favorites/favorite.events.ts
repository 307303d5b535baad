import type { DomainEvent } from '../shared/domain-event.js';

export interface FavoritePayload {
  readonly userId: string;
  readonly articleId: string;
}

export type ArticleFavorited = DomainEvent<'ArticleFavorited', FavoritePayload>;
export type ArticleUnfavorited = DomainEvent<'ArticleUnfavorited', FavoritePayload>;
export type FavoriteEvent = ArticleFavorited | ArticleUnfavorited;
