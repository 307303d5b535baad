import { inject, injectable } from 'inversify';
import { GENERATION_TTL_MS } from '../../application/projections/read-model.store.js';
import { SqlOrmToken, type SqlOrm } from '../postgres/orm.js';
import { SqlReadDatabase, type SqlStatements } from './sql-read-database.js';
import { readTables, type ReadTables } from './sql-read-model.schema.js';

/**
 * The pointer table, in `public` beside the write model (it is not part of any generation):
 * which generation is served, the replay mark, and one row per prepared generation.
 */
export const READ_MODEL_META = 'public.read_model_meta';
export const ACTIVE_KEY = 'active_generation';
export const REPLAY_FROM_KEY = 'replay_from';
/** `generation:<name>` → when it was prepared (sortable text), the registry of generations. */
export const GENERATION_KEY_PREFIX = 'generation:';

/** Reads one value of the pointer table (which SqlReadModelStore creates); null when the key is absent. */
export async function readMeta(db: SqlStatements, key: string): Promise<string | null> {
  const [row] = await db.rows<{ value: string }>(`select value from ${READ_MODEL_META} where key = $1`, [key]);
  return row?.value ?? null;
}

/** Where the read adapters find the tables to use: one fixed generation, or the active one. */
export interface SqlGenerationSource {
  tables(): Promise<ReadTables>;
}

/** Always the same generation: the writer a rebuild fills, tests. */
export class FixedSqlGeneration implements SqlGenerationSource {
  private readonly fixed: Promise<ReadTables>;

  constructor(generation: string) {
    // Validated now: a bad name fails where it is given, not at the first statement.
    this.fixed = Promise.resolve(readTables(generation));
  }

  tables(): Promise<ReadTables> {
    return this.fixed;
  }
}

/**
 * The active generation, as every query adapter and the live writer of one process see it
 * (bind it once per process). The pointer is read at most once per GENERATION_TTL_MS:
 * that bounds how long this process keeps using a generation after another process swapped
 * it, and costs one primary-key read per second, not one per query. Reading the pointer
 * takes no lock, so nothing a rebuild does ever blocks a query.
 *
 * A value is used only while younger than the TTL counted from when its read *started*, so
 * "within the TTL" holds even when the read itself was slow. `forget()` drops it at once
 * (the store calls it after a swap made by this process).
 */
@injectable()
export class SqlActiveGeneration implements SqlGenerationSource {
  private readonly db: SqlReadDatabase;
  private cached: { readonly tables: ReadTables; readonly until: number } | null = null;
  private loading: Promise<ReadTables> | null = null;
  /** Bumped by forget(): a read that started before it must not cache its (older) answer. */
  private epoch = 0;

  constructor(@inject(SqlOrmToken) orm: SqlOrm) {
    this.db = new SqlReadDatabase(orm);
  }

  tables(): Promise<ReadTables> {
    if (this.cached !== null && performance.now() < this.cached.until) return Promise.resolve(this.cached.tables);
    // Concurrent callers share one read of the pointer.
    if (this.loading === null) {
      const loading: Promise<ReadTables> = this.load().finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  forget(): void {
    this.epoch += 1;
    this.cached = null;
    this.loading = null;
  }

  private async load(): Promise<ReadTables> {
    const epoch = this.epoch;
    const started = performance.now();
    const generation = await readMeta(this.db, ACTIVE_KEY).catch(async (error: unknown) => {
      // Before SqlReadModelStore ever ran there is no pointer table: the same "nothing active".
      const [row] = await this.db.rows<{ exists: boolean }>(
        `select to_regclass('${READ_MODEL_META}') is not null as exists`,
      );
      if (row?.exists === false) return null;
      throw error;
    });
    if (generation === null)
      throw new Error('the SQL read store has no active generation: ensureActiveGeneration() must run at start');
    const tables = readTables(generation);
    if (epoch === this.epoch) this.cached = { tables, until: started + GENERATION_TTL_MS };
    return tables;
  }
}
