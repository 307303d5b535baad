import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('draws comment ids a block at a time: one statement serves many comments, and two processes never share an id', async () => {
    await db.truncate();
    const [one, two] = [writeSideIn(db.db).side, writeSideIn(db.db).side];
    const statements = vi.spyOn(db.db, 'query');
    try {
      const drawn = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).comments.nextId()));
      // Twenty each, at once: one block per process, drawn once however many asked meanwhile.
      expect(statements).toHaveBeenCalledTimes(2);
      expect(new Set(drawn).size).toBe(40);
      const ofOne = drawn.filter((_, i) => i % 2 === 0);
      expect(ofOne).toEqual([...ofOne].sort((a, b) => a - b));
      // Past the block, the next draw: still above everything this process handed out.
      const more: number[] = [];
      for (let i = 0; i < 20; i++) more.push(await one.comments.nextId());
      expect(statements).toHaveBeenCalledTimes(3);
      expect(Math.min(...more)).toBeGreaterThan(Math.max(...ofOne));
      expect(new Set([...drawn, ...more]).size).toBe(60);
    } finally {
      statements.mockRestore();
    }
  });

  it('has mappings that describe exactly the schema the migrations built', async () => {
    // Tables other mappings own (the read models) are not this file's business.
    expect(await db.db.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: false })).toBe('');
  });
});
