import { inject, injectable } from 'inversify';
import type {
  NotificationChange,
  NotificationInbox,
  NotificationPage,
  NotificationType,
  NotificationWriter,
} from '../../application/notifications/notification-store.js';
import type { Page } from '../../application/shared/ports.js';
import { pairKey } from './in-memory-tables.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

interface Row {
  readonly id: number;
  readonly recipientId: string;
  readonly type: NotificationType;
  readonly actorId: string;
  readonly articleId: string | null;
  readonly commentId: number | null;
  readonly key: string;
  readonly createdAt: Date;
  readAt: Date | null;
}

/**
 * Notifications beside the in-memory write model, with the SQL adapter's rules (same
 * contract suite): each change makes the rows agree with the write model's state of one
 * fact, one row per (recipient, fact), and rows about a deleted article or comment are gone
 * (as the SQL cascades make them). Every method runs without awaiting, so it is atomic.
 */
@injectable()
export class InMemoryNotifications implements NotificationWriter, NotificationInbox {
  private readonly rows = new Map<string, Row>();
  private readonly handled = new Map<string, number>();
  private lastId = 0;

  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async apply(consumer: string, messageId: string, change: NotificationChange | null): Promise<'applied' | 'duplicate'> {
    const inboxKey = `${consumer}\u0000${messageId}`;
    if (this.handled.has(inboxKey)) return 'duplicate';
    this.handled.set(inboxKey, Date.now());
    if (change !== null) this.change(change);
    return 'applied';
  }

  async pruneInbox(consumer: string, handledBefore: Date): Promise<number> {
    let pruned = 0;
    for (const [key, at] of this.handled)
      if (key.startsWith(`${consumer}\u0000`) && at < handledBefore.getTime()) {
        this.handled.delete(key);
        pruned += 1;
      }
    return pruned;
  }

  private change(change: NotificationChange): void {
    const { articles, comments, favorites, follows } = this.store;
    switch (change.kind) {
      case 'article-published': {
        const article = articles.get(change.articleId);
        if (article === null || article.authorId !== change.authorId) return;
        const followers = follows.where(
          (f) => f.followeeId === article.authorId && f.active && f.updatedAt.getTime() <= article.createdAt.getTime(),
        );
        for (const f of followers) this.add(f.followerId, 'article.published', article.authorId, article.id, null, `published:${article.id}`);
        return;
      }
      case 'article-commented': {
        const comment = comments.get(String(change.commentId));
        const article = comment === null ? null : articles.get(comment.articleId);
        if (comment === null || article === null || comment.authorId === article.authorId) return;
        this.add(article.authorId, 'article.commented', comment.authorId, article.id, comment.id, `commented:${comment.id}`);
        return;
      }
      case 'article-favorited': {
        const article = articles.get(change.articleId);
        if (article === null) return;
        const key = `favorited:${change.userId}:${change.articleId}`;
        const favorite = favorites.get(pairKey(change.userId, change.articleId));
        if (favorite?.active !== true) this.rows.delete(`${article.authorId}\u0000${key}`);
        else if (change.userId !== article.authorId) this.add(article.authorId, 'article.favorited', change.userId, article.id, null, key);
        return;
      }
      case 'user-followed': {
        const key = `followed:${change.followerId}`;
        const follow = follows.get(pairKey(change.followerId, change.followeeId));
        if (follow?.active !== true) this.rows.delete(`${change.followeeId}\u0000${key}`);
        else this.add(change.followeeId, 'user.followed', change.followerId, null, null, key);
        return;
      }
      case 'article-deleted':
        for (const [key, row] of this.rows) if (row.articleId === change.articleId) this.rows.delete(key);
        return;
      case 'comment-deleted':
        for (const [key, row] of this.rows) if (row.commentId === change.commentId) this.rows.delete(key);
        return;
    }
  }

  private add(recipientId: string, type: NotificationType, actorId: string, articleId: string | null, commentId: number | null, key: string): void {
    const primary = `${recipientId}\u0000${key}`;
    if (this.rows.has(primary)) return;
    this.lastId += 1;
    this.rows.set(primary, { id: this.lastId, recipientId, type, actorId, articleId, commentId, key, createdAt: new Date(), readAt: null });
  }

  /** A recipient's rows that still refer to existing things (the cascades of the SQL schema). */
  private rowsOf(recipientId: string): Row[] {
    const { articles, comments, users } = this.store;
    return [...this.rows.values()]
      .filter(
        (row) =>
          row.recipientId === recipientId &&
          users.has(row.actorId) &&
          (row.articleId === null || articles.has(row.articleId)) &&
          (row.commentId === null || comments.has(String(row.commentId))),
      )
      .sort((a, b) => b.id - a.id);
  }

  async list(recipientId: string, page: Page): Promise<NotificationPage> {
    const rows = this.rowsOf(recipientId);
    return {
      notifications: rows.slice(page.offset, page.offset + page.limit).map((row) => {
        const actor = this.store.users.get(row.actorId);
        const article = row.articleId === null ? null : this.store.articles.get(row.articleId);
        return {
          id: String(row.id),
          type: row.type,
          createdAt: row.createdAt.toISOString(),
          read: row.readAt !== null,
          actor: { username: actor?.username ?? '', image: actor?.image ?? null },
          article: article === null ? null : { slug: article.slug, title: article.title },
        };
      }),
      notificationsCount: rows.length,
      unreadCount: rows.filter((row) => row.readAt === null).length,
    };
  }

  async markRead(recipientId: string, upTo: string | null): Promise<number> {
    const limit = upTo === null ? Number.POSITIVE_INFINITY : Number(upTo);
    let marked = 0;
    const now = new Date();
    for (const row of this.rowsOf(recipientId))
      if (row.readAt === null && row.id <= limit) {
        row.readAt = now;
        marked += 1;
      }
    return marked;
  }

  clear(): void {
    this.rows.clear();
    this.handled.clear();
  }
}
