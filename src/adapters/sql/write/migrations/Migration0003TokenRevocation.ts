import { Migration } from '@mikro-orm/migrations';

/**
 * Token revocation: tokens of a user issued before `tokens_valid_from` are refused. Set by
 * a password or e-mail change and by "sign out everywhere"; null while nothing was ever
 * revoked. Read on every authenticated request (through the cache) by primary key, so it
 * needs no index of its own.
 *
 * (Roles already have their column, `users.role`, with a check constraint, since 0001.)
 */
export class Migration0003TokenRevocation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table users add column tokens_valid_from timestamptz null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table users drop column tokens_valid_from`);
  }
}
