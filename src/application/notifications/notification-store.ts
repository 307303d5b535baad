import type { ServiceIdentifier } from 'inversify';
import type { Page } from '../shared/ports.js';

/** The kinds of notification, as the API names them. */
export type NotificationType = 'article.published' | 'article.commented' | 'article.favorited' | 'user.followed';

/**
 * What one integration event means for notifications. Each change is stated as "make the
 * notifications agree with the write model about this fact", not as "add one": a change
 * applied twice, late, or after a newer one converges on the same rows (see the adapter).
 */
export type NotificationChange =
  /** Every follower of the author whose follow began before the article was published gets one. */
  | { readonly kind: 'article-published'; readonly articleId: string; readonly authorId: string }
  /** The article's author gets one, unless the commenter is the author. */
  | { readonly kind: 'article-commented'; readonly articleId: string; readonly commentId: number; readonly commenterId: string }
  /** The article's author gets one while the favourite stands (an unfavourite takes it back). */
  | { readonly kind: 'article-favorited'; readonly articleId: string; readonly userId: string }
  /** The followee gets one while the follow stands (an unfollow takes it back). */
  | { readonly kind: 'user-followed'; readonly followerId: string; readonly followeeId: string }
  /** The article (or comment) is gone: its notifications go with it. */
  | { readonly kind: 'article-deleted'; readonly articleId: string }
  | { readonly kind: 'comment-deleted'; readonly commentId: number };

/**
 * Where the notifier keeps its effects and its inbox. `apply` records `messageId` as
 * handled by `consumer` and makes the change in ONE transaction: answers 'duplicate'
 * (changing nothing) when the id was handled before, so a redelivered message is harmless.
 */
export interface NotificationWriter {
  apply(consumer: string, messageId: string, change: NotificationChange | null): Promise<'applied' | 'duplicate'>;
  /**
   * Forgets the consumer's message ids handled before `handledBefore`; answers how many. Safe
   * because every change converges on the write model and announces a fact once per
   * recipient: a forgotten message that comes back changes nothing either.
   */
  pruneInbox(consumer: string, handledBefore: Date): Promise<number>;
}
/** Typed, so that `container.get(NotificationWriter)` is a NotificationWriter. */
export const NotificationWriter: ServiceIdentifier<NotificationWriter> = Symbol.for('NotificationWriter');

export interface NotificationView {
  /** Opaque, increasing with creation: `upTo` marks this one and every older one read. */
  readonly id: string;
  readonly type: NotificationType;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly read: boolean;
  readonly actor: { readonly username: string; readonly image: string | null };
  readonly article: { readonly slug: string; readonly title: string } | null;
}

export interface NotificationPage {
  readonly notifications: readonly NotificationView[];
  readonly notificationsCount: number;
  readonly unreadCount: number;
}

/** A user's notifications: listing them newest first, marking them read. */
export interface NotificationInbox {
  list(recipientId: string, page: Page): Promise<NotificationPage>;
  /** Marks the recipient's notifications read: all, or those with an id up to `upTo`; answers how many changed. */
  markRead(recipientId: string, upTo: string | null): Promise<number>;
}
export const NotificationInbox = Symbol.for('NotificationInbox');
