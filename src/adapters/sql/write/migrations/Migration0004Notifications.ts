import { Migration } from '@mikro-orm/migrations';

/**
 * Notifications, built by the notifier from integration events, and the notifier's inbox of
 * handled message ids (written in the same transaction as the notifications a message made).
 *
 * Each notification references what it is about with `on delete cascade`: when an article
 * or comment is deleted, its notifications go in the same transaction, before any event
 * reaches the notifier. `dedupe_key` names the fact a notification announces, unique per
 * recipient, so no fact is announced twice to one person, whatever is redelivered.
 *
 * One statement per `addSql` (PGlite's extended protocol).
 */
export class Migration0004Notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table notifications (
        id bigserial not null,
        recipient_id uuid not null,
        type text not null,
        actor_id uuid not null,
        article_id uuid null,
        comment_id bigint null,
        dedupe_key text not null,
        created_at timestamptz not null default now(),
        read_at timestamptz null,
        constraint notifications_pkey primary key (id),
        constraint notifications_recipient_fact_unique unique (recipient_id, dedupe_key),
        constraint notifications_recipient_id_foreign foreign key (recipient_id) references users (id) on delete cascade,
        constraint notifications_actor_id_foreign foreign key (actor_id) references users (id) on delete cascade,
        constraint notifications_article_id_foreign foreign key (article_id) references articles (id) on delete cascade,
        constraint notifications_comment_id_foreign foreign key (comment_id) references comments (id) on delete cascade,
        constraint notifications_type_check check (type in ('article.published', 'article.commented', 'article.favorited', 'user.followed'))
      )`);
    // A recipient's page, newest first; their unread count; the cascades from articles, comments and actors.
    this.addSql(`create index notifications_recipient_index on notifications (recipient_id, id desc)`);
    this.addSql(`create index notifications_unread_index on notifications (recipient_id) where read_at is null`);
    this.addSql(`create index notifications_article_id_index on notifications (article_id) where article_id is not null`);
    this.addSql(`create index notifications_comment_id_index on notifications (comment_id) where comment_id is not null`);
    this.addSql(`create index notifications_actor_id_index on notifications (actor_id)`);

    this.addSql(`
      create table notification_inbox (
        consumer text not null,
        message_id text not null,
        handled_at timestamptz not null default now(),
        constraint notification_inbox_pkey primary key (consumer, message_id)
      )`);
    // Pruning forgets the oldest handled ids (NOTIFIER_INBOX_RETENTION_DAYS).
    this.addSql(`create index notification_inbox_handled_at_index on notification_inbox (consumer, handled_at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table notification_inbox`);
    this.addSql(`drop table notifications`);
  }
}
