import { Migration } from '@mikro-orm/migrations';

/**
 * Announces credential changes to the processes that remember credential states
 * (src/adapters/sql/write/postgres-credential-changes.ts): at commit, the id of every user
 * whose role or revocation instant changed or who was deleted, on `conduit_credentials`;
 * an empty payload when the table is truncated. Profile edits announce nothing. Named as
 * MikroORM names a trigger's function, `<table>_<trigger>_fn`, so the mapping matches.
 */
export class Migration0007CredentialChanges extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function users_notify_credentials_fn() returns trigger language plpgsql as $$
      begin if tg_op = 'DELETE' then perform pg_notify('conduit_credentials', old.id::text); elsif old.role is distinct from new.role or old.tokens_valid_from is distinct from new.tokens_valid_from then perform pg_notify('conduit_credentials', new.id::text); end if; return null; end;
      $$`);
    this.addSql(`
      create trigger notify_credentials after update or delete on users
      for each row execute function users_notify_credentials_fn()`);
    this.addSql(`
      create function users_notify_credentials_truncated_fn() returns trigger language plpgsql as $$
      begin perform pg_notify('conduit_credentials', ''); return null; end;
      $$`);
    this.addSql(`
      create trigger notify_credentials_truncated after truncate on users
      for each statement execute function users_notify_credentials_truncated_fn()`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists notify_credentials_truncated on users`);
    this.addSql(`drop function if exists users_notify_credentials_truncated_fn()`);
    this.addSql(`drop trigger if exists notify_credentials on users`);
    this.addSql(`drop function if exists users_notify_credentials_fn()`);
  }
}
