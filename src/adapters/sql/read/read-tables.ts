/**
 * The SQL read model of one generation: denormalised tables shaped like the API responses,
 * all in one PostgreSQL schema per generation (`rm_<generation>`).
 *
 * Read models are disposable and versioned by generation, not migrated: a change to these
 * tables ships with a rebuild into a fresh generation (`npm run read-models:rebuild`), and
 * the write-model migrations never mention them.
 *
 * The tables have no foreign keys: the projections keep them consistent, and a rebuild
 * must be able to fill them in any order without tripping over references.
 *
 * Identifiers are `text collate "C"`: the ports take any string as an id (the in-memory
 * twin does too), and the byte-order collation makes equality cheap and makes the
 * `id desc` tie-break of the article lists the same order JavaScript's `<` gives.
 */

/**
 * Schema names are interpolated into SQL text (identifiers cannot be bound parameters), so
 * only this shape is ever let through: lower-case, no quotes, no dots, short enough for
 * PostgreSQL's 63-byte identifiers.
 */
const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,40}$/;

/** A switch pair's table (follows, favourites): one row per pair, its `active` flag and its version. */
const pairTable = (table: string, key: string, left: string, right: string): string =>
  `create table if not exists ${table} (
       ${left} text collate "C" not null,
       ${right} text collate "C" not null,
       active boolean not null,
       version integer not null,
       constraint ${key} primary key (${left}, ${right})
     )`;

export const SCHEMA_PREFIX = 'rm_';

/** The schema that holds `generation`; throws for any name that could not be interpolated safely. */
export function schemaOf(generation: string): string {
  const schema = `${SCHEMA_PREFIX}${generation}`;
  if (!/^[a-z]/.test(generation) || !SCHEMA_NAME.test(schema))
    throw new Error(
      `invalid read-model generation name ${JSON.stringify(generation)}: ` +
        'a lower-case letter, then up to 37 lower-case letters, digits or "_"',
    );
  return schema;
}

/** The pending count deltas of a generation: every row is appended by a projection and deleted by the next fold. */
export const COUNT_DELTAS_TABLE = 'rm_count_deltas';

/** Every read table of one generation, schema-qualified, ready to interpolate into a statement. */
export interface ReadTables {
  readonly generation: string;
  readonly schema: string;
  readonly users: string;
  readonly articles: string;
  readonly articleTombstones: string;
  readonly follows: string;
  readonly favorites: string;
  readonly comments: string;
  readonly commentTombstones: string;
  readonly tags: string;
  readonly counts: string;
  readonly countDeltas: string;
  readonly marker: string;
}

export function readTables(generation: string): ReadTables {
  const schema = schemaOf(generation);
  const table = (name: string): string => `"${schema}".${name}`;
  return {
    generation,
    schema,
    users: table('rm_users'),
    articles: table('rm_articles'),
    articleTombstones: table('rm_article_tombstones'),
    follows: table('rm_follows'),
    favorites: table('rm_favorites'),
    comments: table('rm_comments'),
    commentTombstones: table('rm_comment_tombstones'),
    tags: table('rm_tags'),
    counts: table('rm_counts'),
    countDeltas: table(COUNT_DELTAS_TABLE),
    marker: table('rm_marker'),
  };
}

/**
 * The DDL of one generation, idempotent (`if not exists` throughout), one statement per
 * string: PGlite runs statements with the extended protocol, which refuses several in one.
 * Every index serves one query of the read-store ports or of the writer; the comment above
 * each says which. Index and constraint names are per schema, so each generation has its own.
 */
export function readModelDdl(t: ReadTables): string[] {
  return [
    `create schema if not exists "${t.schema}"`,

    `create table if not exists ${t.users} (
       id text collate "C" not null,
       username text not null,
       username_key text collate "C" not null,
       email text not null,
       bio text null,
       image text null,
       version integer not null,
       constraint rm_users_pkey primary key (id),
       constraint rm_users_username_key_unique unique (username_key)
     )`,

    // The author is embedded so a page of articles is one read; upsertUser rewrites the copies.
    `create table if not exists ${t.articles} (
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
     )`,
    // The global list, newest first, read in index order (no sort) up to offset + limit.
    `create index if not exists rm_articles_created_index on ${t.articles} (created_at desc, id desc)`,
    // The author filter and the feed (author in the followed set), in list order; also the
    // bulk rewrite of embedded author copies on a rename.
    `create index if not exists rm_articles_author_index on ${t.articles} (author_id, created_at desc, id desc)`,
    // The tag filter (`tag_list @> array[tag]`).
    `create index if not exists rm_articles_tag_list_index on ${t.articles} using gin (tag_list)`,

    // Deleted articles leave their deletion version behind, so a late or replayed
    // publish/update of the same article cannot bring it back, and so a favourite or comment
    // of a deleted article can be told apart from one that arrived before its article.
    `create table if not exists ${t.articleTombstones} (
       id text collate "C" not null,
       version integer not null,
       constraint rm_article_tombstones_pkey primary key (id)
     )`,

    // Switched-off pairs are kept (active = false) so their version still guards late events.
    pairTable(t.follows, 'rm_follows_pkey', 'follower_id', 'followee_id'),

    pairTable(t.favorites, 'rm_favorites_pkey', 'user_id', 'article_id'),
    // The primary key serves "favourited by" and favoritedAmong; this one serves the
    // favouriters of a deleted article (their counts drop) and its cascade.
    `create index if not exists rm_favorites_article_index on ${t.favorites} (article_id)`,

    `create table if not exists ${t.comments} (
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
     )`,
    // Deleted comments leave their id behind, so a late or replayed CommentAdded (another
    // projector process, a retry, a rebuild's replay) cannot bring a deleted comment back.
    `create table if not exists ${t.commentTombstones} (
       id integer not null,
       constraint rm_comment_tombstones_pkey primary key (id)
     )`,
    // An article's comments, oldest first; also the cascade of deleteArticle.
    `create index if not exists rm_comments_article_index on ${t.comments} (article_id, created_at, id)`,
    // The bulk rewrite of embedded author copies on a rename.
    `create index if not exists rm_comments_author_index on ${t.comments} (author_id)`,

    // Maintained from the projections' deltas (never recounted; a tag's count is its row plus
    // its pending deltas); a tag at 0 stays, and is not listed. Byte-order
    // collation: "then alphabetically" is code-point order.
    `create table if not exists ${t.tags} (
       tag text collate "C" not null,
       article_count integer not null,
       constraint rm_tags_pkey primary key (tag)
     )`,
    // tags(): most used first, then alphabetically, read in index order.
    `create index if not exists rm_tags_count_index on ${t.tags} (article_count desc, tag)`,

    // Every other maintained count, by the keys of read-model-rules.ts (`articles`,
    // `author:<id>`, `favorited:<id>`): what list totals read instead of counting rows.
    `create table if not exists ${t.counts} (
       key text collate "C" not null,
       n integer not null,
       constraint rm_counts_pkey primary key (key)
     )`,

    ...countDeltasDdl(t),

    // Written last, in the same transaction as everything above: a generation whose marker is
    // there is whole; one whose marker is gone (a dropped schema) lost its data.
    `create table if not exists ${t.marker} (prepared_at timestamptz not null)`,
    `insert into ${t.marker} (prepared_at) select now() where not exists (select 1 from ${t.marker})`,
  ];
}

/**
 * Deltas of the counts, appended by the projections and folded into them now and then
 * (sql-pending-counts.ts): what a count reads is its row plus its pending deltas. Added
 * after generations existed, so it is also added to a prepared generation that lacks it
 * (`readModelAdditions`).
 */
const countDeltasDdl = (t: ReadTables): string[] => [
  `create table if not exists ${t.countDeltas} (
     id bigint generated always as identity,
     kind text collate "C" not null,
     key text collate "C" not null,
     n integer not null,
     constraint rm_count_deltas_pkey primary key (id)
   )`,
  // The pending deltas of one counter, summed by every read of a count.
  `create index if not exists rm_count_deltas_key_index on ${t.countDeltas} (kind, key) include (n)`,
];

/**
 * Tables added to the read model after generations were first prepared, each with its DDL:
 * a generation prepared before gets the ones it lacks when a process starts. Each is a new
 * table that nothing else locks, so adding it cannot wait on the live projector's writes.
 */
export const readModelAdditions = (t: ReadTables): readonly { readonly table: string; readonly ddl: readonly string[] }[] => [
  { table: t.countDeltas, ddl: countDeltasDdl(t) },
];
