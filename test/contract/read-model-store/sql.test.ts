import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqlActiveGeneration } from '../../../src/adapters/sql-read-store/sql-read-generation.js';
import { SqlReadModelStore } from '../../../src/adapters/sql-read-store/sql-read-model.store.js';
import { GENERATION_TTL_MS } from '../../../src/application/projections/read-model.store.js';
import { ensureActiveGeneration } from '../../../src/application/projections/ensure-active-generation.js';
import { dropReadModels, sqlReadSide, sqlStoresOn, tablesIn } from '../../support/read-model-sql.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { aUser } from '../read-store/read-store.fixtures.js';
import { readModelStoreContract } from './read-model-store.contract.js';

const READ_TABLES = [
  'rm_article_tombstones',
  'rm_articles',
  'rm_comment_tombstones',
  'rm_comments',
  'rm_favorites',
  'rm_follows',
  'rm_tags',
  'rm_users',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(sqlKinds())('SQL read-model store on %s', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  /** Each test gets a database with no read model at all, and a new process's worth of adapters. */
  const open = async () => {
    await dropReadModels(db.orm);
    return sqlReadSide(db.orm);
  };

  readModelStoreContract(open);

  it('keeps each generation in its own schema and only the pointer table in public', async () => {
    const { store } = await open();
    await ensureActiveGeneration(store);
    await store.prepare('g2');
    expect(await tablesIn(db.orm, 'rm_g1')).toEqual(READ_TABLES);
    expect(await tablesIn(db.orm, 'rm_g2')).toEqual(READ_TABLES);
    const publicTables = await tablesIn(db.orm, 'public');
    expect(publicTables).toContain('read_model_meta');
    expect(publicTables.filter((t) => t.startsWith('rm_'))).toEqual([]);
    await store.drop('g2');
    expect(await tablesIn(db.orm, 'rm_g2')).toEqual([]);
  });

  it('lets another process see a swap within GENERATION_TTL_MS, and this process at once', async () => {
    const here = await open();
    await ensureActiveGeneration(here.store);
    const user = aUser();
    await here.store.prepare('g2');
    await here.store.writerFor('g2').upsertUser(user);
    // Another process: its own resolver, which has just read the pointer.
    const there = sqlStoresOn(db.orm, new SqlActiveGeneration(db.orm));
    expect(await there.users.findById(user.id)).toBeNull();

    await here.store.activate('g2', 0);
    expect(await here.stores.users.findById(user.id)).not.toBeNull();
    const seenAt = Date.now();
    while ((await there.users.findById(user.id)) === null) await sleep(25);
    expect(Date.now() - seenAt).toBeLessThanOrEqual(GENERATION_TTL_MS + 250);
  });

  it('reads the pointer once per GENERATION_TTL_MS however many queries, sharing one read among concurrent callers', async () => {
    const { store } = await open();
    await ensureActiveGeneration(store);
    const active = new SqlActiveGeneration(db.orm);
    const stores = sqlStoresOn(db.orm, active);
    const client = (db.orm.em.getConnection() as unknown as { getClient(): { executeQuery: () => unknown } }).getClient();
    const spy = vi.spyOn(client, 'executeQuery');
    try {
      await Promise.all(Array.from({ length: 10 }, () => stores.users.findById('x')));
      for (let i = 0; i < 10; i++) await stores.users.findById('x');
      const pointerReads = () =>
        spy.mock.calls.filter((call) => JSON.stringify(call).includes('read_model_meta')).length;
      expect(pointerReads()).toBe(1);
      expect(spy).toHaveBeenCalledTimes(21);
      await sleep(GENERATION_TTL_MS + 50);
      await stores.users.findById('x');
      expect(pointerReads()).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('lets several processes start at once on a fresh database (DDL serialised, one outcome)', async () => {
    await dropReadModels(db.orm);
    const processes = Array.from({ length: 4 }, () => sqlReadSide(db.orm));
    expect(await Promise.all(processes.map((p) => ensureActiveGeneration(p.store)))).toEqual(['g1', 'g1', 'g1', 'g1']);
    expect(await processes[0]!.store.listGenerations()).toEqual(['g1']);
    expect(await tablesIn(db.orm, 'rm_g1')).toEqual(READ_TABLES);
  });

  it('refuses queries with a clear error while no generation is active', async () => {
    const { stores } = await open();
    await expect(stores.users.findById('x')).rejects.toThrow(/no active generation/);
    const store = new SqlReadModelStore(db.orm, new SqlActiveGeneration(db.orm));
    expect(await store.activeGeneration()).toBeNull();
    await expect(stores.users.findById('x')).rejects.toThrow(/no active generation/);
  });
});
