import { Migration } from '@mikro-orm/migrations';

/**
 * The write model: one table per aggregate, plus the transactional outbox.
 *
 * Constraint names are part of the contract with `errors.ts`, which turns a unique
 * violation into the matching SaveConflict by name: rename one here only together with it
 * (in a new migration). Lengths and formats are the domain's job; the database backs up
 * what only it can see across concurrent requests: uniqueness, references, versions.
 *
 * One statement per `addSql`: PGlite runs statements with the extended protocol, which
 * refuses several statements in one string.
 */
export class Migration0001WriteModel extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table users (
        id uuid not null,
        username text not null,
        username_key text not null,
        email text not null,
        password_hash text not null,
        bio text null,
        image text null,
        role text not null default 'user',
        created_at timestamptz not null,
        updated_at timestamptz not null,
        version integer not null,
        constraint users_pkey primary key (id),
        constraint users_username_key_unique unique (username_key),
        constraint users_email_unique unique (email),
        constraint users_role_check check (role in ('user', 'admin'))
      )`);

    // Follows are kept when switched off (active = false) so their version keeps growing.
    this.addSql(`
      create table follows (
        follower_id uuid not null,
        followee_id uuid not null,
        active boolean not null,
        version integer not null,
        updated_at timestamptz not null,
        constraint follows_pkey primary key (follower_id, followee_id),
        constraint follows_follower_id_foreign foreign key (follower_id) references users (id) on delete cascade,
        constraint follows_followee_id_foreign foreign key (followee_id) references users (id) on delete cascade,
        constraint follows_no_self_follow check (follower_id <> followee_id)
      )`);
    // The primary key serves look-ups by follower; this one serves the cascade from the followee.
    this.addSql(`create index follows_followee_id_index on follows (followee_id)`);

    // Deleting a user is not a domain operation: their articles and comments block it
    // (no cascade) instead of vanishing without the events the read models need.
    this.addSql(`
      create table articles (
        id uuid not null,
        author_id uuid not null,
        slug text not null,
        title text not null,
        description text not null,
        body text not null,
        tag_list text[] not null default '{}',
        created_at timestamptz not null,
        updated_at timestamptz not null,
        version integer not null,
        constraint articles_pkey primary key (id),
        constraint articles_author_id_foreign foreign key (author_id) references users (id),
        constraint articles_slug_unique unique (slug)
      )`);
    this.addSql(`create index articles_author_id_index on articles (author_id)`);

    this.addSql(`
      create table favorites (
        user_id uuid not null,
        article_id uuid not null,
        active boolean not null,
        version integer not null,
        updated_at timestamptz not null,
        constraint favorites_pkey primary key (user_id, article_id),
        constraint favorites_user_id_foreign foreign key (user_id) references users (id) on delete cascade,
        constraint favorites_article_id_foreign foreign key (article_id) references articles (id) on delete cascade
      )`);
    this.addSql(`create index favorites_article_id_index on favorites (article_id)`);

    // Comment ids are integers in the API and are drawn before the insert (nextval), so
    // the CommentAdded event can carry the id in the same transaction as the row.
    this.addSql(`create sequence comments_id_seq`);
    this.addSql(`
      create table comments (
        id bigint not null default nextval('comments_id_seq'),
        article_id uuid not null,
        author_id uuid not null,
        body text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        version integer not null,
        constraint comments_pkey primary key (id),
        constraint comments_article_id_foreign foreign key (article_id) references articles (id) on delete cascade,
        constraint comments_author_id_foreign foreign key (author_id) references users (id)
      )`);
    this.addSql(`alter sequence comments_id_seq owned by comments.id`);
    this.addSql(`create index comments_article_id_index on comments (article_id)`);

    // Positions are handed out at insert time, not commit time, so a later position can
    // commit first: the projector reads "not applied yet" (the partial index), never
    // "after the last position seen", and so cannot skip a slow transaction's events.
    // One row per (aggregate, version): two writers can never both record the same version.
    this.addSql(`
      create table outbox (
        position bigserial not null,
        aggregate_type text not null,
        aggregate_id text not null,
        version integer not null,
        type text not null,
        payload jsonb not null,
        occurred_at timestamptz not null,
        applied_at timestamptz null,
        attempts integer not null default 0,
        next_attempt_at timestamptz null,
        lease_owner text null,
        lease_expires_at timestamptz null,
        parked_at timestamptz null,
        last_error text null,
        constraint outbox_pkey primary key (position),
        constraint outbox_aggregate_version_unique unique (aggregate_type, aggregate_id, version)
      )`);
    // The projectors' queue: claims, read-your-writes waits and backlog checks read only
    // the events still to do, so their cost does not grow with the applied history.
    this.addSql(`create index outbox_pending_index on outbox (position) where applied_at is null and parked_at is null`);
    this.addSql(`create index outbox_parked_index on outbox (position) where parked_at is not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists outbox`);
    this.addSql(`drop table if exists comments`);
    this.addSql(`drop sequence if exists comments_id_seq`);
    this.addSql(`drop table if exists favorites`);
    this.addSql(`drop table if exists articles`);
    this.addSql(`drop table if exists follows`);
    this.addSql(`drop table if exists users`);
  }
}
