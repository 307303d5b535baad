import { Migration } from '@mikro-orm/migrations';

/**
 * Links identities of an external OpenID provider to local users. The primary key
 * (issuer, subject) makes one identity one user even when its first requests race. The
 * link is written before its user is registered (the winner of the race decides the user
 * id), so `user_id` has no foreign key; the user of a link is registered by whichever
 * request finds it missing. Looked up by primary key on a request whose link is not cached.
 */
export class Migration0005ExternalIdentities extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table external_identities (
      issuer text not null,
      subject text not null,
      user_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (issuer, subject)
    )`);
    this.addSql(`create index external_identities_user_id_idx on external_identities (user_id)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table external_identities`);
  }
}
