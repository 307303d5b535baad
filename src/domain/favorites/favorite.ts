import { ToggleAggregate, type ToggleState } from '../shared/toggle.js';
import type { FavoriteEvent, FavoritePayload } from './favorite.events.js';

export type FavoriteState = FavoritePayload & ToggleState;

/**
 * A user's favourite of an article. One per pair, so a count of active favourites is
 * exact however many users favourite at the same moment.
 */
export class Favorite extends ToggleAggregate<FavoritePayload, FavoriteEvent> {
  protected readonly aggregateType = 'Favorite';
  protected readonly eventTypes = { on: 'ArticleFavorited', off: 'ArticleUnfavorited' } as const;

  /** A pair that has never been favourited: inactive, version 0. */
  static between(userId: string, articleId: string, now: Date): Favorite {
    return new Favorite({ userId, articleId }, false, now, 0);
  }

  static rehydrate({ userId, articleId, active, updatedAt, version }: FavoriteState): Favorite {
    return new Favorite({ userId, articleId }, active, updatedAt, version);
  }

  get id(): string {
    return `${this.pair.userId}:${this.pair.articleId}`;
  }
}
