import { Migration } from '@mikro-orm/migrations';

/**
 * A favourite's or a follow's notification remembers the version of the pair it reflects,
 * and is withdrawn (kept, marked) rather than deleted when the pair is switched off, so
 * that the notifier writes it in ONE statement without taking turns: an upsert that only
 * moves the row to a later version, whichever handler commits last. Before, each such
 * message took a transaction with an advisory lock per fact (four statements).
 *
 * Rows written before this migration are at version 0, below every pair's version.
 * One statement per `addSql` (PGlite's extended protocol).
 */
export class Migration0009NotificationFactVersions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table notifications add column fact_version integer not null default 0`);
    this.addSql(`alter table notifications add column withdrawn_at timestamptz null`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from notifications where withdrawn_at is not null`);
    this.addSql(`alter table notifications drop column withdrawn_at`);
    this.addSql(`alter table notifications drop column fact_version`);
  }
}
