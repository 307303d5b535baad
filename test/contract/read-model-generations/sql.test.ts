import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureActiveGeneration } from '../../../src/application/read-side/active-generation.js';
import { GENERATION_TTL_MS } from '../../../src/application/read-side/read-model-generations.js';
import { dropReadModels, tablesIn } from '../../support/read-model-sql.js';
import { sqlReadSide } from '../../support/read-side-modules.js';
import { openTestDatabase, sqlKinds, type TestSqlDatabase } from '../../support/sql.js';
import { aUser, FixtureWriter } from '../read-store/read-store.fixtures.js';
import { readModelGenerationsContract } from './read-model-generations.contract.js';

const READ_TABLES = [
  'rm_article_tombstones',
  'rm_articles',
  'rm_comment_tombstones',
  'rm_comments',
  'rm_count_deltas',
  'rm_counts',
  'rm_favorites',
  'rm_follows',
  'rm_marker',
  'rm_tags',
  'rm_users',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(sqlKinds())('SQL read-model generations on %s', (kind) => {
  let db: TestSqlDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  /** Each test gets a database with no read model at all, and a new process's worth of adapters. */
  const open = async () => {
    await dropReadModels(db.db);
    return sqlReadSide(db.db);
  };

  readModelGenerationsContract(async () => {
    const side = await open();
    return {
      store: side.generations,
      active: side.active,
      stores: side.stores,
      loseData: async (generation) => {
        await db.db.query(`drop schema if exists "rm_${generation}" cascade`);
      },
    };
  });

  it('keeps each generation in its own schema and only the pointer table in public', async () => {
    const { generations } = await open();
    await ensureActiveGeneration(generations);
    await generations.prepare('g2');
    expect(await tablesIn(db.db, 'rm_g1')).toEqual(READ_TABLES);
    expect(await tablesIn(db.db, 'rm_g2')).toEqual(READ_TABLES);
    const publicTables = await tablesIn(db.db, 'public');
    expect(publicTables).toContain('read_model_meta');
    expect(publicTables.filter((t) => t.startsWith('rm_'))).toEqual([]);
    await generations.drop('g2');
    expect(await tablesIn(db.db, 'rm_g2')).toEqual([]);
  });

  it('adds the tables added since to a generation prepared before them, keeping its data', async () => {
    const { generations, stores } = await open();
    const generation = await ensureActiveGeneration(generations);
    const user = aUser({ username: 'kept' });
    await stores.writer.upsertUser(user);
    // A generation prepared by an earlier version, before rm_count_deltas existed.
    await db.db.query(`drop table "rm_${generation}".rm_count_deltas`);
    await generations.prepare(generation);
    expect(await tablesIn(db.db, `rm_${generation}`)).toEqual(READ_TABLES);
    expect((await stores.users.findById(user.id))?.username).toBe('kept');
  });

  it('lets another process see a swap within GENERATION_TTL_MS, and this process at once', async () => {
    const here = await open();
    await ensureActiveGeneration(here.generations);
    const user = aUser();
    await here.generations.prepare('g2');
    await new FixtureWriter(here.generations.writerFor('g2')).upsertUser(user);
    // Another process: its own adapters, which have just read the pointer.
    const there = sqlReadSide(db.db);
    expect(await there.stores.users.findById(user.id)).toBeNull();

    await here.generations.activate('g2', 0);
    here.active.forget();
    expect(await here.stores.users.findById(user.id)).not.toBeNull();
    const seenAt = Date.now();
    while ((await there.stores.users.findById(user.id)) === null) await sleep(25);
    expect(Date.now() - seenAt).toBeLessThanOrEqual(GENERATION_TTL_MS + 250);
  });

  it('reads the pointer once per GENERATION_TTL_MS however many queries, sharing one read among concurrent callers', async () => {
    const { generations } = await open();
    await ensureActiveGeneration(generations);
    const { stores } = sqlReadSide(db.db);
    const spy = vi.spyOn(db.db, 'query');
    try {
      await Promise.all(Array.from({ length: 10 }, () => stores.users.findById('x')));
      for (let i = 0; i < 10; i++) await stores.users.findById('x');
      const pointerReads = () => spy.mock.calls.filter((call) => JSON.stringify(call).includes('read_model_meta')).length;
      expect(pointerReads()).toBe(1);
      await sleep(GENERATION_TTL_MS + 50);
      await stores.users.findById('x');
      expect(pointerReads()).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('lets several processes start at once on a fresh database (DDL serialised, one outcome)', async () => {
    await dropReadModels(db.db);
    const processes = Array.from({ length: 4 }, () => sqlReadSide(db.db));
    expect(await Promise.all(processes.map((p) => ensureActiveGeneration(p.generations)))).toEqual(['g1', 'g1', 'g1', 'g1']);
    expect(await processes[0]!.generations.listGenerations()).toEqual(['g1']);
    expect(await tablesIn(db.db, 'rm_g1')).toEqual(READ_TABLES);
  });

  it('answers queries with "read store unavailable" while no generation is active', async () => {
    const { stores, generations } = await open();
    await expect(stores.users.findById('x')).rejects.toMatchObject({ dependency: 'read-store' });
    expect(await generations.activeGeneration()).toBeNull();
  });

  it('answers queries with "read store unavailable" when the active generation lost its tables', async () => {
    const { stores, generations } = await open();
    await ensureActiveGeneration(generations);
    await db.db.query(`drop schema "rm_g1" cascade`);
    await expect(stores.users.findById('x')).rejects.toMatchObject({ dependency: 'read-store' });
    expect(await generations.isIntact('g1')).toBe(false);
  });
});
