import type { ToggleEvent } from '../shared/toggle.js';

export interface FavoritePayload {
  readonly userId: string;
  readonly articleId: string;
}

export type FavoriteEvent = ToggleEvent<'ArticleFavorited', 'ArticleUnfavorited', FavoritePayload>;
