import type { SqlOrm } from '../../src/adapters/postgres/orm.js';
import { SqlArticleReadStore } from '../../src/adapters/sql-read-store/sql-article-read-store.js';
import { SqlCommentReadStore } from '../../src/adapters/sql-read-store/sql-comment-read-store.js';
import { SqlReadDatabase } from '../../src/adapters/sql-read-store/sql-read-database.js';
import { SqlActiveGeneration, type SqlGenerationSource } from '../../src/adapters/sql-read-store/sql-read-generation.js';
import { SqlReadModelStore } from '../../src/adapters/sql-read-store/sql-read-model.store.js';
import { SqlReadModelWriter } from '../../src/adapters/sql-read-store/sql-read-model.writer.js';
import { SqlRelationshipReadStore } from '../../src/adapters/sql-read-store/sql-relationship-read-store.js';
import { SqlUserReadStore } from '../../src/adapters/sql-read-store/sql-user-read-store.js';
import type { ReadStores } from '../contract/read-store/read-store.fixtures.js';

/**
 * Read-model generations in SQL test databases. `truncate()` of ./sql.ts empties the
 * `public` tables (the pointer table included) but leaves the generation schemas; these
 * helpers remove them too, so a test can start from a store with no generation at all.
 */

/** Drops every generation's schema (with `truncate()`, which empties the pointer table: no read model left). */
export async function dropGenerationSchemas(orm: SqlOrm): Promise<void> {
  const db = new SqlReadDatabase(orm);
  const schemas = await db.rows<{ nspname: string }>(
    `select nspname from pg_namespace where left(nspname, 3) = 'rm_' order by nspname`,
  );
  for (const { nspname } of schemas) await db.rows(`drop schema "${nspname}" cascade`);
}

/**
 * Drops every generation's schema and the pointer table: the database as before any read
 * model. Only for stores created afterwards (a SqlReadModelStore creates the table once).
 */
export async function dropReadModels(orm: SqlOrm): Promise<void> {
  await dropGenerationSchemas(orm);
  await new SqlReadDatabase(orm).rows(`drop table if exists public.read_model_meta`);
}

/** The names of the tables in one schema, sorted. */
export async function tablesIn(orm: SqlOrm, schema: string): Promise<string[]> {
  const rows = await new SqlReadDatabase(orm).rows<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = $1 order by tablename`,
    [schema],
  );
  return rows.map((r) => r.tablename);
}

/** The read side of one process, wired as the container wires it: one shared resolver of the active generation. */
export interface SqlReadSide {
  readonly store: SqlReadModelStore;
  readonly active: SqlActiveGeneration;
  /** The live writer and the query adapters, all following the active generation. */
  readonly stores: ReadStores;
}

export function sqlReadSide(orm: SqlOrm): SqlReadSide {
  const active = new SqlActiveGeneration(orm);
  return { store: new SqlReadModelStore(orm, active), active, stores: sqlStoresOn(orm, active) };
}

/** The live writer and the query adapters over one generation source. */
export function sqlStoresOn(orm: SqlOrm, generation: SqlGenerationSource): ReadStores {
  return {
    writer: new SqlReadModelWriter(orm, generation),
    users: new SqlUserReadStore(orm, generation),
    articles: new SqlArticleReadStore(orm, generation),
    comments: new SqlCommentReadStore(orm, generation),
    relationships: new SqlRelationshipReadStore(orm, generation),
  };
}
