import type { PGlite } from '@electric-sql/pglite';

/**
 * Types whose values PGlite hands over as text, with no parser of their own, whose arrays
 * this code reads (`text[]` tag lists, `uuid[]` and the like): their arrays keep a parser,
 * which splits PostgreSQL's array text into strings.
 */
const READ_AS_TEXT = [
  18, // "char"
  19, // name
  25, // text
  1042, // bpchar
  1043, // varchar
  1700, // numeric
  2950, // uuid
];

/**
 * Cuts PGlite's result parsers down to the types this code can meet, and returns how many
 * it kept.
 *
 * At start PGlite adds a parser for the array of every type in its catalogue (about 300)
 * to its map of parsers, and it copies that whole map into a new object for every
 * statement it answers, before it parses the rows. On these machines the copy costs about
 * 0.1 ms a statement, half of what a statement as small as `select 1` costs in all, and a
 * tenth of a write's time on the embedded default (a create runs a dozen statements).
 *
 * What is kept: every parser of a type that is not an array (MikroORM's date and
 * timestamp parsers and PGlite's own: booleans, numbers, JSON, bytea…), and the parsers of
 * arrays of those types and of the types read as text (`READ_AS_TEXT`). An array of any
 * other type (`regclass[]`, `inet[]`, a table's row type…) then arrives as PostgreSQL's
 * array text, as node-postgres hands over arrays of types it has no parser for. Every
 * value this code reads parses as before (test/adapters/sql/pglite-parsers.test.ts).
 *
 * The array parsers look their element's parser up in the map at call time, so they are
 * carried over as they are. Call this after PGlite is ready and before any other
 * statement, on the instance the ORM runs on.
 */
export async function compactPgliteParsers(pglite: PGlite): Promise<number> {
  const parsers = pglite.parsers;
  const keys = Object.keys(parsers);
  const oids = keys.filter((key) => /^\d+$/.test(key)).map(Number);
  const { rows } = await pglite.query<{ oid: number; element: number }>(
    `select oid::int as oid, typelem::int as element from pg_catalog.pg_type
      where oid = any($1::oid[]) and typcategory = 'A' and typelem <> 0`,
    [oids],
  );
  const arrays = new Map(rows.map((row) => [String(row.oid), String(row.element)]));
  const readable = new Set([...keys.filter((key) => !arrays.has(key)), ...READ_AS_TEXT.map(String)]);
  const kept: typeof parsers = {};
  for (const key of keys) {
    const element = arrays.get(key);
    if (element === undefined || readable.has(element)) kept[key] = parsers[key]!;
  }
  pglite.parsers = kept;
  return Object.keys(kept).length;
}
