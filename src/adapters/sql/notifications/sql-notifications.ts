import { inject, injectable, optional } from 'inversify';
import type {
  NotificationChange,
  NotificationInbox,
  NotificationPage,
  NotificationType,
  NotificationWriter,
} from '../../../application/notifications/notification-store.js';
import type { Page } from '../../../application/shared/ports.js';
import { SqlDatabase, type SqlExecutor } from '../sql-database.js';

export interface SqlNotificationOptions {
  /** Followers notified per statement when an article is published. */
  readonly fanOutBatch: number;
}
export const SqlNotificationOptions = Symbol.for('SqlNotificationOptions');

/** Below every uuid: where the walk over an author's followers starts. */
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The conflict clause of a pair's notification: a later version of the pair replaces the
 * row's state; a row brought back from withdrawn is a new notification (new id, so it
 * lists first and `markRead` up to an older id leaves it unread; new time; unread).
 */
const LATER_VERSION_WINS = `on conflict (recipient_id, dedupe_key) do update
   set fact_version = excluded.fact_version, withdrawn_at = excluded.withdrawn_at,
       id = case when n.withdrawn_at is not null and excluded.withdrawn_at is null then nextval('notifications_id_seq') else n.id end,
       created_at = case when n.withdrawn_at is not null and excluded.withdrawn_at is null then now() else n.created_at end,
       read_at = case when n.withdrawn_at is not null and excluded.withdrawn_at is null then null else n.read_at end
 where n.fact_version < excluded.fact_version`;

/**
 * Notifications and the notifier's inbox, in the write database (migration 0004).
 *
 * Every change states a fact and makes the rows agree with the write model's current state
 * of it — "does this favourite stand?", "which followers followed before this article was
 * published?" — so the rows converge whatever the order, delay or repetition of the events:
 * an unfavourite delivered before (or after) its favourite leaves exactly what the
 * favourites table says. `dedupe_key`, unique per recipient, keeps a fact announced once.
 * A favourite's or a follow's row carries the version of the pair it reflects and is
 * withdrawn (`withdrawn_at`), not deleted, when the pair is off: lists never show it.
 */
@injectable()
export class SqlNotifications implements NotificationWriter, NotificationInbox {
  constructor(
    @inject(SqlDatabase) private readonly db: SqlDatabase,
    @inject(SqlNotificationOptions) @optional() private readonly options: SqlNotificationOptions = { fanOutBatch: 5_000 },
  ) {}

  /**
   * The inbox row and the change, all or nothing. Every change but one is ONE statement (no
   * transaction to open and commit): the inbox insert and the effect as parts of one data-
   * modifying statement, the effect only where the insert was fresh. A publication whose
   * author has more followers than one statement notifies takes a transaction.
   */
  async apply(consumer: string, messageId: string, change: NotificationChange | null): Promise<'applied' | 'duplicate'> {
    const single = await this.applyInOneStatement(consumer, messageId, change);
    if (single !== null) return single;
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query(
        `insert into notification_inbox (consumer, message_id) values ($1, $2) on conflict do nothing returning 1`,
        [consumer, messageId],
      );
      if (fresh.length === 0) return 'duplicate';
      if (change?.kind === 'article-published') await this.fanOut(tx, change.articleId, change.authorId);
      return 'applied';
    });
  }

  /** The change and its inbox row in one statement; null when a publication's followers do not fit in one (nothing was written then). */
  private async applyInOneStatement(
    consumer: string,
    messageId: string,
    change: NotificationChange | null,
  ): Promise<'applied' | 'duplicate' | null> {
    const effect = oneStatementEffect(change, this.options.fanOutBatch);
    const [row] = await this.db.query<{ fits: boolean; fresh: boolean }>(
      `with ${effect.before ? `${effect.before},` : ''}
       fresh as (insert into notification_inbox (consumer, message_id)
                 select $1, $2 ${effect.before ? 'from fits where fits.ok' : ''}
                 on conflict do nothing returning 1),
       effect as (${effect.statement})
       select ${effect.before ? '(select ok from fits)' : 'true'} as fits, exists (select 1 from fresh) as fresh`,
      [consumer, messageId, ...effect.params],
    );
    if (row === undefined || !row.fits) return null;
    return row.fresh ? 'applied' : 'duplicate';
  }

  async pruneInbox(consumer: string, handledBefore: Date): Promise<number> {
    const rows = await this.db.query(
      `delete from notification_inbox where consumer = $1 and handled_at < $2::timestamptz returning 1`,
      [consumer, handledBefore.toISOString()],
    );
    return rows.length;
  }

  /**
   * One notification per follower whose (current) follow began before the article was
   * published, in statements of `fanOutBatch` followers walked in follower-id order — never
   * a statement per follower. The walk is part of the inbox's transaction: all or nothing.
   */
  private async fanOut(tx: SqlExecutor, articleId: string, authorId: string): Promise<void> {
    let after = FIRST_UUID;
    for (;;) {
      const [row] = await tx.query<{ last: string | null; n: number }>(
        `with batch as (
           select f.follower_id from follows f join articles a on a.id = $1 and a.author_id = f.followee_id
            where f.followee_id = $2 and f.active and f.updated_at <= a.created_at and f.follower_id > $3::uuid
            order by f.follower_id limit $4),
         added as (
           insert into notifications (recipient_id, type, actor_id, article_id, dedupe_key)
           select b.follower_id, 'article.published', $2, $1, 'published:' || $1 from batch b
           on conflict (recipient_id, dedupe_key) do nothing)
         select (select follower_id::text from batch order by follower_id desc limit 1) as last,
                (select count(*)::int from batch) as n`,
        [articleId, authorId, after, this.options.fanOutBatch],
      );
      if (row === undefined || row.last === null || row.n < this.options.fanOutBatch) return;
      after = row.last;
    }
  }

  /** The page and the counts from one statement, so they agree (one snapshot) while the notifier writes. */
  async list(recipientId: string, page: Page): Promise<NotificationPage> {
    const rows = await this.db.query<{
      total: number;
      unread: number;
      id: string | number | null;
      type: NotificationType;
      created_at: Date | string;
      read: boolean;
      username: string;
      image: string | null;
      slug: string | null;
      title: string | null;
    }>(
      `with counts as (
         select count(*)::int as total, count(*) filter (where read_at is null)::int as unread
           from notifications where recipient_id = $1 and withdrawn_at is null)
       select c.total, c.unread, p.* from counts c left join lateral (
         select n.id, n.type, n.created_at, n.read_at is not null as read, u.username, u.image, a.slug, a.title
           from notifications n join users u on u.id = n.actor_id left join articles a on a.id = n.article_id
          where n.recipient_id = $1 and n.withdrawn_at is null order by n.id desc limit $2 offset $3) p on true`,
      [recipientId, page.limit, page.offset],
    );
    return {
      notifications: rows
        .filter((row) => row.id !== null)
        .map((row) => ({
          id: String(row.id),
          type: row.type,
          createdAt: new Date(row.created_at).toISOString(),
          read: row.read,
          actor: { username: row.username, image: row.image },
          article: row.slug === null || row.title === null ? null : { slug: row.slug, title: row.title },
        })),
      notificationsCount: rows[0]?.total ?? 0,
      unreadCount: rows[0]?.unread ?? 0,
    };
  }

  async markRead(recipientId: string, upTo: string | null): Promise<number> {
    const rows = await this.db.query(
      `update notifications set read_at = now()
        where recipient_id = $1 and read_at is null and withdrawn_at is null and ($2::bigint is null or id <= $2::bigint)
        returning id`,
      [recipientId, upTo],
    );
    return rows.length;
  }
}

/**
 * A change as one part of the notifier's single statement (`applyInOneStatement`): its
 * statement, which acts only `where exists (select 1 from fresh)` (the inbox row was new),
 * with its parameters numbered from $3 ($1 and $2 are the inbox row's); `before`, parts that run first and say in
 * `fits.ok` whether the change fits in one statement at all (the inbox row is written only
 * then; when it does not, a publication's fan-out takes a transaction).
 */
interface OneStatementEffect {
  readonly params: readonly unknown[];
  readonly before?: string;
  readonly statement: string;
}

function oneStatementEffect(change: NotificationChange | null, fanOutBatch: number): OneStatementEffect {
  switch (change?.kind) {
    case undefined:
      return { params: [], statement: 'select 1' };
    case 'article-published':
      // The followers to notify, one more than a statement's share: when they do not fit,
      // nothing is written here and the transaction walks them in batches.
      return {
        params: [change.articleId, change.authorId, fanOutBatch],
        before: `batch as (
           select f.follower_id from follows f join articles a on a.id = $3 and a.author_id = f.followee_id
            where f.followee_id = $4 and f.active and f.updated_at <= a.created_at
            order by f.follower_id limit $5::int + 1),
         fits as (select count(*) <= $5::int as ok from batch)`,
        statement: `insert into notifications (recipient_id, type, actor_id, article_id, dedupe_key)
           select b.follower_id, 'article.published', $4, $3, 'published:' || $3
             from batch b where exists (select 1 from fresh)
           on conflict (recipient_id, dedupe_key) do nothing`,
      };
    case 'article-commented':
      return {
        params: [change.commentId],
        statement: `insert into notifications (recipient_id, type, actor_id, article_id, comment_id, dedupe_key)
           select a.author_id, 'article.commented', c.author_id, a.id, c.id, 'commented:' || c.id
             from comments c join articles a on a.id = c.article_id
            where c.id = $3 and c.author_id <> a.author_id and exists (select 1 from fresh)
           on conflict (recipient_id, dedupe_key) do nothing`,
      };
    // The pair as it stands now, at its version: the row moves only to a later version, so
    // concurrent handlers of one pair, whatever their order, leave the latest state they read
    // (the upsert sees the committed row even when this statement's snapshot predates it).
    case 'article-favorited':
      return {
        params: [change.userId, change.articleId, `favorited:${change.userId}:${change.articleId}`],
        statement: `insert into notifications as n (recipient_id, type, actor_id, article_id, dedupe_key, fact_version, withdrawn_at)
           select a.author_id, 'article.favorited', f.user_id, a.id, $5, f.version, case when f.active then null else now() end
             from favorites f join articles a on a.id = f.article_id
            where f.user_id = $3 and f.article_id = $4 and f.user_id <> a.author_id and exists (select 1 from fresh)
           ${LATER_VERSION_WINS}`,
      };
    case 'user-followed':
      return {
        params: [change.followerId, change.followeeId, `followed:${change.followerId}`],
        statement: `insert into notifications as n (recipient_id, type, actor_id, dedupe_key, fact_version, withdrawn_at)
           select f.followee_id, 'user.followed', f.follower_id, $5, f.version, case when f.active then null else now() end
             from follows f
            where f.follower_id = $3 and f.followee_id = $4 and exists (select 1 from fresh)
           ${LATER_VERSION_WINS}`,
      };
    case 'article-deleted':
      return {
        params: [change.articleId],
        statement: `delete from notifications where article_id = $3 and exists (select 1 from fresh)`,
      };
    case 'comment-deleted':
      return {
        params: [change.commentId],
        statement: `delete from notifications where comment_id = $3 and exists (select 1 from fresh)`,
      };
  }
}
