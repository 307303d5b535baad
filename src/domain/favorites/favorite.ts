import { ToggleAggregate, type ToggleState } from '../shared/toggle.js';
import type { FavoriteEvent } from './favorite.events.js';

export interface FavoriteState extends ToggleState {
  readonly userId: string;
  readonly articleId: string;
}

/**
 * A user's favourite of an article. One per pair, so a count of active favourites is
 * exact however many users favourite at the same moment.
 */
export class Favorite extends ToggleAggregate<FavoriteEvent> {
  private constructor(
    readonly userId: string,
    readonly articleId: string,
    active: boolean,
    updatedAt: Date,
    version: number,
  ) {
    super(active, updatedAt, version);
  }

  /** A pair that has never been favourited: inactive, version 0. */
  static between(userId: string, articleId: string, now: Date): Favorite {
    return new Favorite(userId, articleId, false, now, 0);
  }

  static rehydrate(state: FavoriteState): Favorite {
    return new Favorite(state.userId, state.articleId, state.active, state.updatedAt, state.version);
  }

  get id(): string {
    return `${this.userId}:${this.articleId}`;
  }

  favorite(now: Date): void {
    this.switchTo(true, now, (version) => this.event('ArticleFavorited', version, now));
  }

  unfavorite(now: Date): void {
    this.switchTo(false, now, (version) => this.event('ArticleUnfavorited', version, now));
  }

  snapshot(): FavoriteState {
    return {
      userId: this.userId,
      articleId: this.articleId,
      active: this.active,
      updatedAt: this.updatedAt,
      version: this.version,
    };
  }

  private event(type: FavoriteEvent['type'], version: number, now: Date): FavoriteEvent {
    return {
      type,
      aggregateType: 'Favorite',
      aggregateId: this.id,
      version,
      occurredAt: now,
      payload: { userId: this.userId, articleId: this.articleId },
    };
  }
}
