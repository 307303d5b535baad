import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { writeSideIn } from '../../support/write-side-modules.js';
import { writeSideContracts } from './all.contract.js';

describe.each(sqlKinds())('write side on SQL (%s)', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  /** One database per file, emptied before each test (sequences restarted too). */
  writeSideContracts(async () => {
    await db.truncate();
    return writeSideIn(db.db).side;
  });

  it('has mappings that describe exactly the schema the migrations built', async () => {
    // Tables other mappings own (the read models) are not this file's business.
    expect(await db.db.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: false })).toBe('');
  });
});
