import { Migration } from '@mikro-orm/migrations';

/**
 * The SQL read model: denormalised tables shaped like the API responses, prefixed `rm_`.
 * They are disposable (rebuilt from the write model) and have no foreign keys: the
 * projections keep them consistent, and a rebuild must be able to fill them in any order
 * of tables without tripping over references.
 *
 * Identifiers are `text collate "C"`: the ports take any string as an id (the in-memory
 * twin does too), and the byte-order collation makes equality cheap and makes the
 * `id desc` tie-break of the article lists the same order JavaScript's `<` gives.
 *
 * Every index below serves one query of the read-store ports or of the writer; the comment
 * above each says which. One statement per `addSql` (PGlite refuses several in one string).
 */
export class Migration0002ReadModel extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table rm_users (
        id text collate "C" not null,
        username text not null,
        username_key text collate "C" not null,
        email text not null,
        bio text null,
        image text null,
        version integer not null,
        constraint rm_users_pkey primary key (id),
        constraint rm_users_username_key_unique unique (username_key)
      )`);

    // The author is embedded so a page of articles is one read; upsertUser rewrites the copies.
    this.addSql(`
      create table rm_articles (
        id text collate "C" not null,
        slug text not null,
        title text not null,
        description text not null,
        body text not null,
        tag_list text[] collate "C" not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        favorites_count integer not null default 0,
        author_id text collate "C" not null,
        author_username text not null,
        author_bio text null,
        author_image text null,
        version integer not null,
        constraint rm_articles_pkey primary key (id),
        constraint rm_articles_slug_unique unique (slug)
      )`);
    // The global list, newest first, read in index order (no sort) up to offset + limit.
    this.addSql(`create index rm_articles_created_index on rm_articles (created_at desc, id desc)`);
    // The author filter and the feed (author in the followed set), in list order; also the
    // bulk rewrite of embedded author copies on a rename.
    this.addSql(`create index rm_articles_author_index on rm_articles (author_id, created_at desc, id desc)`);
    // The tag filter (`tag_list @> array[tag]`) and the tag recount. Measured against a
    // (tag, created_at, article_id) side table at 50k articles on PostgreSQL and PGlite:
    // pages and counts within noise of each other, so the simpler single-table form wins.
    this.addSql(`create index rm_articles_tag_list_index on rm_articles using gin (tag_list)`);

    // Deleted articles leave their deletion version behind, so a late or replayed
    // publish/update of the same article cannot bring it back.
    this.addSql(`
      create table rm_article_tombstones (
        id text collate "C" not null,
        version integer not null,
        constraint rm_article_tombstones_pkey primary key (id)
      )`);

    // Switched-off pairs are kept (active = false) so their version still guards late events.
    this.addSql(`
      create table rm_follows (
        follower_id text collate "C" not null,
        followee_id text collate "C" not null,
        active boolean not null,
        version integer not null,
        constraint rm_follows_pkey primary key (follower_id, followee_id)
      )`);

    this.addSql(`
      create table rm_favorites (
        user_id text collate "C" not null,
        article_id text collate "C" not null,
        active boolean not null,
        version integer not null,
        constraint rm_favorites_pkey primary key (user_id, article_id)
      )`);
    // The primary key serves "favourited by" and favoritedAmong; this one serves the
    // favourites-count recount and the cascade of deleteArticle.
    this.addSql(`create index rm_favorites_article_index on rm_favorites (article_id)`);

    this.addSql(`
      create table rm_comments (
        id integer not null,
        article_id text collate "C" not null,
        body text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        author_id text collate "C" not null,
        author_username text not null,
        author_bio text null,
        author_image text null,
        constraint rm_comments_pkey primary key (id)
      )`);
    // Deleted comments leave their id behind, so a late or replayed CommentAdded (another
    // projector process, a retry) cannot bring a deleted comment back.
    this.addSql(`
      create table rm_comment_tombstones (
        id integer not null,
        constraint rm_comment_tombstones_pkey primary key (id)
      )`);
    // An article's comments, oldest first; also the cascade of deleteArticle.
    this.addSql(`create index rm_comments_article_index on rm_comments (article_id, created_at, id)`);
    // The bulk rewrite of embedded author copies on a rename.
    this.addSql(`create index rm_comments_author_index on rm_comments (author_id)`);

    // Counts are kept exact by recounting from rm_articles; a tag at 0 is deleted, so every
    // row here is a tag in use. Byte-order collation: "then alphabetically" is code-point order.
    this.addSql(`
      create table rm_tags (
        tag text collate "C" not null,
        article_count integer not null,
        constraint rm_tags_pkey primary key (tag)
      )`);
    // tags(): most used first, then alphabetically, read in index order.
    this.addSql(`create index rm_tags_count_index on rm_tags (article_count desc, tag)`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'rm_tags',
      'rm_comment_tombstones',
      'rm_comments',
      'rm_favorites',
      'rm_follows',
      'rm_article_tombstones',
      'rm_articles',
      'rm_users',
    ])
      this.addSql(`drop table if exists ${table}`);
  }
}
