import { MikroORM as PgliteOrm, type PgliteConnection } from '@mikro-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactPgliteParsers } from '../../../src/adapters/sql/pglite-parsers.js';
import { openSqlDatabase } from '../../../src/adapters/sql/open-sql-database.js';
import type { SqlDatabase } from '../../../src/adapters/sql/sql-database.js';

/** One row of every type (and array of types) this code reads, nulls and empty arrays included. */
const EVERY_TYPE = `select
  true as bool, null::bool as bool_null, '\\x00ff'::bytea as bytea,
  7::int2 as int2, 42::int4 as int4, 9007199254740993::int8 as int8, 1.5::float4 as float4, 2.25::float8 as float8,
  12.50::numeric as numeric, 'a "b" {c}'::text as text, 'v'::varchar as varchar, 'c'::char(3) as bpchar,
  '0190b1f4-7c6e-7b3a-9d2e-3f1a2b3c4d5e'::uuid as uuid, 'pg_class'::name as name, 26::oid as oid,
  '{"a":[1,2]}'::json as json, '{"b":{"c":null}}'::jsonb as jsonb,
  '2026-12-02'::date as date, '2026-12-02 10:11:12.345'::timestamp as timestamp,
  '2026-12-02 10:11:12.345+00'::timestamptz as timestamptz, '1 day 02:03:04'::interval as interval,
  array[true, false, null]::bool[] as bools, array[1, 2, null]::int4[] as int4s, array[9007199254740993]::int8[] as int8s,
  array[1.5, 2.5]::float8[] as float8s, array[1.10, 2]::numeric[] as numerics,
  array['x', 'y,z', 'with "quotes"', null, '']::text[] as texts, '{}'::text[] as texts_empty,
  array[array['a', 'b'], array['c', 'd']]::text[] as texts_nested, array['v']::varchar[] as varchars,
  array['0190b1f4-7c6e-7b3a-9d2e-3f1a2b3c4d5e']::uuid[] as uuids,
  array['{"a":1}']::json[] as jsons, array['{"b":2}']::jsonb[] as jsonbs,
  array['2026-12-02']::date[] as dates, array['2026-12-02 10:11:12.345+00']::timestamptz[] as timestamptzs`;

describe('PGlite result parsers, compacted', () => {
  let orm: PgliteOrm;
  let pglite: Awaited<ReturnType<PgliteConnection['getNativeClient']>>;

  beforeAll(async () => {
    // The driver's own instance, parsers as MikroORM sets them up: the reference.
    orm = await PgliteOrm.init({ dbName: 'memory://', entities: [], discovery: { warnWhenNoEntities: false } });
    pglite = await (orm.em.getConnection() as PgliteConnection).getNativeClient();
  });
  afterAll(() => orm.close(true));

  it('parses every value this code reads exactly as before, with a tenth of the parsers', async () => {
    const before = (await pglite.query(EVERY_TYPE)).rows[0];
    const entriesBefore = Object.keys(pglite.parsers).length;

    const kept = await compactPgliteParsers(pglite);
    const after = (await pglite.query(EVERY_TYPE)).rows[0];

    expect(after).toEqual(before);
    // The values are parsed, not left as text: the comparison above would also hold if nothing parsed.
    expect(after).toMatchObject({
      bool: true,
      int4: 42,
      float8: 2.25,
      jsonb: { b: { c: null } },
      bools: [true, false, null],
      int4s: [1, 2, null],
      texts: ['x', 'y,z', 'with "quotes"', null, ''],
      texts_empty: [],
      texts_nested: [
        ['a', 'b'],
        ['c', 'd'],
      ],
      uuids: ['0190b1f4-7c6e-7b3a-9d2e-3f1a2b3c4d5e'],
      jsonbs: [{ b: 2 }],
    });
    expect(entriesBefore).toBeGreaterThan(250);
    expect(kept).toBe(Object.keys(pglite.parsers).length);
    expect(kept).toBeLessThan(entriesBefore / 5);
  });

  it('hands over an array of a type it dropped as PostgreSQL array text', async () => {
    await compactPgliteParsers(pglite);
    const { rows } = await pglite.query<{ classes: unknown }>(`select array['pg_class'::regclass] as classes`);
    expect(rows[0]!.classes).toBe('{pg_class}');
  });
});

describe.each(['worker', 'main'] as const)('the embedded database (PGlite in the %s thread)', (embeddedThread) => {
  let database: SqlDatabase;
  beforeAll(async () => {
    database = await openSqlDatabase({ dataDir: 'memory://', embeddedThread });
  });
  afterAll(() => database.close());

  it('opens with its parsers compacted, wherever PGlite runs', async () => {
    const rows = await database.query<{ tags: string[]; n: number; classes: unknown }>(
      `select array['a', 'b']::text[] as tags, 3 as n, array['pg_class'::regclass] as classes`,
    );
    // A dropped array parser (regclass[]) hands over PostgreSQL's array text: only the compacted set does that.
    expect(rows).toEqual([{ tags: ['a', 'b'], n: 3, classes: '{pg_class}' }]);
  });

  it.runIf(embeddedThread === 'main')('keeps fewer than 60 parsers on the instance the ORM runs on', async () => {
    const native = await (database.orm.em.getConnection() as unknown as PgliteConnection).getNativeClient();
    expect(Object.keys(native.parsers).length).toBeLessThan(60);
  });
});
