// Scratch tables of the write baseline, in a schema of their own in the bench database:
// shaped like the write model's article row and outbox row (same column types, keys and
// indexes), so one baseline insert pays the same index maintenance as one real one.
export const SCRATCH_SCHEMA = 'bench_baseline';

export const CREATE_SCRATCH = [
  `create schema if not exists ${SCRATCH_SCHEMA}`,
  `create table if not exists ${SCRATCH_SCHEMA}.articles (
     id uuid primary key,
     author_id uuid not null,
     slug text not null unique,
     title text not null,
     description text not null,
     body text not null,
     tag_list text[] not null default '{}',
     created_at timestamptz not null,
     updated_at timestamptz not null,
     version integer not null
   )`,
  `create index if not exists articles_author_id_index on ${SCRATCH_SCHEMA}.articles (author_id)`,
  `create table if not exists ${SCRATCH_SCHEMA}.outbox (
     position bigserial primary key,
     aggregate_type text not null,
     aggregate_id text not null,
     version integer not null,
     type text not null,
     payload jsonb not null,
     occurred_at timestamptz not null,
     applied_at timestamptz null,
     unique (aggregate_type, aggregate_id, version)
   )`,
  `create index if not exists outbox_pending_index on ${SCRATCH_SCHEMA}.outbox (position) where applied_at is null`,
];

export const DROP_SCRATCH = `drop schema if exists ${SCRATCH_SCHEMA} cascade`;
