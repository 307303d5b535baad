import type { SqlDatabase } from '../../src/adapters/sql/sql-database.js';

/**
 * Read-model generations in SQL test databases. `truncate()` of ./sql.ts empties the
 * `public` tables (the pointer table included) but leaves the generation schemas; these
 * helpers remove them too, so a test can start from a store with no generation at all.
 */

/** Drops every generation's schema (with `truncate()`, which empties the pointer table: no read model left). */
export async function dropGenerationSchemas(db: SqlDatabase): Promise<void> {
  const schemas = await db.query<{ nspname: string }>(
    `select nspname from pg_namespace where left(nspname, 3) = 'rm_' order by nspname`,
  );
  for (const { nspname } of schemas) await db.query(`drop schema "${nspname}" cascade`);
}

/**
 * Drops every generation's schema and the pointer table: the database as before any read
 * model. Only for stores created afterwards (a generations adapter creates the table once).
 */
export async function dropReadModels(db: SqlDatabase): Promise<void> {
  await dropGenerationSchemas(db);
  await db.query(`drop table if exists public.read_model_meta`);
}

/** The names of the tables in one schema, sorted. */
export async function tablesIn(db: SqlDatabase, schema: string): Promise<string[]> {
  const rows = await db.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = $1 order by tablename`,
    [schema],
  );
  return rows.map((r) => r.tablename);
}
