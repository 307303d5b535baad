import { afterAll, beforeAll, describe } from 'vitest';
import { SqlIdempotency } from '../../../src/adapters/sql/write/sql-idempotency.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { idempotencyContract } from './idempotency.contract.js';

describe.each(sqlKinds())('idempotency keys on SQL (%s)', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  idempotencyContract(kind, async () => {
    await db.truncate();
    return new SqlIdempotency(db.db);
  });
});
