import { Migration } from '@mikro-orm/migrations';

/** The table, and the index the sweep of expired keys walks. */
const UP = [
  `create table idempotency_keys (
    scope text not null,
    key text not null,
    fingerprint text not null,
    status smallint,
    answer text,
    created_at timestamptz not null default now(),
    primary key (scope, key)
  )`,
  `create index idempotency_keys_created_at_idx on idempotency_keys (created_at)`,
];

/**
 * Claims of `Idempotency-Key`s and the answers kept for them (src/adapters/http/idempotency.ts).
 * One row per (scope, key): the primary key makes a second concurrent claim wait for the
 * first and then find it. `status` and `answer` stay null while the claimed request runs;
 * the answer is sealed (encrypted and authenticated) by the API, because answers carry
 * tokens. Rows older than the retention are swept by `created_at`.
 */
export class Migration0006IdempotencyKeys extends Migration {
  override async up(): Promise<void> {
    for (const statement of UP) this.addSql(statement);
  }

  override async down(): Promise<void> {
    this.addSql('drop table idempotency_keys');
  }
}
