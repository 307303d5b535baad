import { MikroORM as PgliteOrm, type PgliteConnection } from '@mikro-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactPgliteParsers } from '../../../src/adapters/sql/pglite-parsers.js';
import { PgliteStatements } from '../../../src/adapters/sql/pglite-statements.js';

describe('PGlite statements prepared under names', () => {
  let orm: PgliteOrm;
  let pglite: Awaited<ReturnType<PgliteConnection['getNativeClient']>>;
  let statements: PgliteStatements;

  beforeAll(async () => {
    orm = await PgliteOrm.init({ dbName: 'memory://', entities: [], discovery: { warnWhenNoEntities: false } });
    pglite = await (orm.em.getConnection() as PgliteConnection).getNativeClient();
    await compactPgliteParsers(pglite);
    statements = new PgliteStatements(pglite);
    await pglite.exec(`
      create table items (id int primary key, name text not null unique, tags text[] not null default '{}',
        doc jsonb, at timestamptz, flag boolean);
      create table shapes (id int primary key, v int);
      insert into shapes values (1, 10);`);
  });
  afterAll(() => orm.close(true));

  const INSERT = `insert into items (id, name, tags, doc, at, flag) values ($1, $2, $3::text[], $4, $5, $6)
    returning id, name, tags, doc, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, flag`;

  it('answers what PGlite’s own query answers, for every kind of value, parsing each text once', async () => {
    const at = new Date('2026-12-02T10:11:12.345Z');
    const before = statements.size;
    const ours = await statements.query(INSERT, [1, 'one', ['a', 'b,c', 'd "e"'], { x: [1, null] }, at, true]);
    const theirs = (await pglite.query(INSERT, [2, 'two', ['a', 'b,c', 'd "e"'], { x: [1, null] }, at, true])).rows;
    expect(ours).toEqual([{ id: 1, name: 'one', tags: ['a', 'b,c', 'd "e"'], doc: { x: [1, null] }, at: '2026-12-02T10:11:12.345Z', flag: true }]);
    expect(theirs).toEqual([{ ...(ours[0] as object), id: 2, name: 'two' }]);

    await statements.query(INSERT, [3, 'three', [], null, null, null]);
    expect(await statements.query(`select id, tags, doc, at, flag from items where id = $1`, [3])).toEqual([
      { id: 3, tags: [], doc: null, at: null, flag: null },
    ]);
    // Two texts, each prepared once however often it runs, and PostgreSQL holds them under their names.
    expect(statements.size).toBe(before + 2);
    const held = await pglite.query<{ statement: string }>(`select statement from pg_prepared_statements`);
    expect(held.rows.map((row) => row.statement)).toContain(INSERT);
  });

  it('runs a statement that cannot be prepared (utility, or no rows) unnamed, and answers no rows for it', async () => {
    const before = statements.size;
    expect(await statements.query('vacuum (analyze) items', [])).toEqual([]);
    expect(await statements.query(`update items set flag = $1 where id = $2`, [false, 999])).toEqual([]);
    expect(statements.size).toBe(before + 1); // the update, not the vacuum
  });

  it('raises PostgreSQL’s error with its SQLSTATE and constraint, and the connection goes on', async () => {
    const failure = await statements.query(INSERT, [4, 'one', [], null, null, null]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '23505', constraint: 'items_name_key' });
    const bad = await statements.query(`select * from items where id = $1`, ['not a number']).catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: '22P02' });
    expect(await statements.query(`select count(*)::int as n from items`, [])).toEqual([{ n: 3 }]);
  });

  it('commits a transaction whole, and rolls it back whole when a statement fails', async () => {
    await statements.transaction(async (tx) => {
      await tx.query(INSERT, [10, 'ten', [], null, null, null]);
      await tx.query(`update items set name = $1 where id = $2`, ['ten!', 10]);
    });
    const failed = await statements
      .transaction(async (tx) => {
        await tx.query(INSERT, [11, 'eleven', [], null, null, null]);
        await tx.query(INSERT, [12, 'ten!', [], null, null, null]); // the name is taken
      })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: '23505' });
    expect(await statements.query(`select id, name from items where id >= $1 order by id`, [10])).toEqual([{ id: 10, name: 'ten!' }]);
  });

  it('makes a statement outside a transaction wait until the open transaction ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((resolve) => (inserted = resolve));
    const open = statements.transaction(async (tx) => {
      await tx.query(INSERT, [20, 'twenty', [], null, null, null]);
      inserted();
      await held;
    });
    await insertedOnce;
    const counted = statements.query<{ n: number }>(`select count(*)::int as n from items where id = $1`, [20]);
    let answered = false;
    void counted.then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    await open;
    expect(await counted).toEqual([{ n: 1 }]);
  });

  it('prepares a statement again when its cached plan no longer fits the table', async () => {
    const text = `select * from shapes where id = $1`;
    expect(await statements.query(text, [1])).toEqual([{ id: 1, v: 10 }]);
    await pglite.exec(`alter table shapes alter column v type text using v::text`);
    expect(await statements.query(text, [1])).toEqual([{ id: 1, v: '10' }]);
  });

  it('serves PGlite’s own query (the ORM’s loads) in fewer entries, answering the same, rows and counts', async () => {
    const update = `update items set flag = true where id in (1, 2)`;
    const select = `select id, name, tags from items where id = 1`;
    const withParams = `select id, name from items where name = $1`;
    const before = [await pglite.query(update), await pglite.query(select), await pglite.query(withParams, ['two'])];
    const arrays = await pglite.query(select, [], { rowMode: 'array' });
    const named = statements.size;

    statements.serveQueries();
    const after = [await pglite.query(update), await pglite.query(select), await pglite.query(withParams, ['two'])];

    expect(after.map(({ rows, affectedRows }) => ({ rows, affectedRows }))).toEqual(before.map(({ rows, affectedRows }) => ({ rows, affectedRows })));
    expect(after[0]).toMatchObject({ affectedRows: 2, rows: [] });
    expect(after[1]!.rows).toEqual([{ id: 1, name: 'one', tags: ['a', 'b,c', 'd "e"'] }]);
    // Other options go to PGlite's own query, as before; texts served this way are never named.
    expect(await pglite.query(select, [], { rowMode: 'array' })).toMatchObject({ rows: arrays.rows });
    expect(statements.size).toBe(named);
    const failure = await pglite.query(`select * from nowhere`).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '42P01' });
    expect((await pglite.query(`select count(*)::int as n from items`)).rows).toEqual([{ n: 5 }]);

    // One entry into PGlite for a text without parameters (PGlite's own query makes six).
    const send = pglite.execProtocolStream.bind(pglite);
    let entries = 0;
    pglite.execProtocolStream = (message, options) => {
      entries++;
      return send(message, options);
    };
    try {
      await pglite.query(select);
    } finally {
      pglite.execProtocolStream = send;
    }
    expect(entries).toBe(1);
  });
});
