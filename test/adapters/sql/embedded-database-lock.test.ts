import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseInUseError } from '../../../src/adapters/sql/pglite-lock.js';
import { openSqlDatabase } from '../../../src/adapters/sql/open-sql-database.js';

describe('embedded database (PGlite) folder lock', () => {
  const root = mkdtempSync(join(tmpdir(), 'conduit-lock-'));
  const dataDir = join(root, 'pglite');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a second opener while the first is open, and frees the folder on close', async () => {
    const first = await openSqlDatabase({ dataDir });
    await expect(openSqlDatabase({ dataDir })).rejects.toBeInstanceOf(DatabaseInUseError);
    await first.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const again = await openSqlDatabase({ dataDir });
    await again.close();
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    // A pid far above any real one stands for a crashed owner.
    writeFileSync(`${dataDir}.lock`, '999999999');
    const orm = await openSqlDatabase({ dataDir });
    await orm.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
