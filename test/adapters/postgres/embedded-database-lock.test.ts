import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlOrm, DatabaseInUseError } from '../../../src/adapters/postgres/orm.js';

describe('embedded database (PGlite) folder lock', () => {
  const root = mkdtempSync(join(tmpdir(), 'conduit-lock-'));
  const dataDir = join(root, 'pglite');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a second opener while the first is open, and frees the folder on close', async () => {
    const first = await createSqlOrm({ dataDir, migrate: false });
    await expect(createSqlOrm({ dataDir, migrate: false })).rejects.toBeInstanceOf(DatabaseInUseError);
    await first.close(true);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const again = await createSqlOrm({ dataDir, migrate: false });
    await again.close(true);
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    // A pid far above any real one stands for a crashed owner.
    writeFileSync(`${dataDir}.lock`, '999999999');
    const orm = await createSqlOrm({ dataDir, migrate: false });
    await orm.close(true);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
