import { inject, injectable } from 'inversify';
import type { ReadModelGenerations } from '../../../application/read-side/read-model-generations.js';
import type { ReadModelWriter } from '../../../application/read-side/read-model.writer.js';
import { SqlDatabase, type SqlExecutor } from '../sql-database.js';
import { readModelAdditions, readModelDdl, readTables, SCHEMA_PREFIX, schemaOf } from './read-tables.js';
import { lostTables } from './sql-read-context.js';
import { SqlReadModelWriter } from './sql-read-model.writer.js';

/**
 * The pointer table, in `public` beside the write model (it is not part of any generation):
 * which generation is served, the replay mark, and one row per prepared generation.
 */
const READ_MODEL_META = 'public.read_model_meta';
const ACTIVE_KEY = 'active_generation';
const REPLAY_FROM_KEY = 'replay_from';
/** `generation:<name>` → when it was prepared (sortable text), the registry of generations. */
const GENERATION_KEY_PREFIX = 'generation:';

/** Reads one value of the pointer table; null when the key is absent. */
async function readMeta(db: SqlExecutor, key: string): Promise<string | null> {
  const [row] = await db.query<{ value: string }>(`select value from ${READ_MODEL_META} where key = $1`, [key]);
  return row?.value ?? null;
}

/**
 * Serialises every change of the generations and the pointer, across processes: two
 * replicas starting on a fresh database both prepare the first generation, and concurrent
 * `create … if not exists` of one object can fail in PostgreSQL without it. A key space of
 * its own ("rmm"), so it never meets the writer's per-article locks.
 */
const ADMIN_LOCK_SPACE = 0x726d6d;
const ADMIN_LOCK_KEY = 1;

const generationKey = (generation: string): string => `${GENERATION_KEY_PREFIX}${generation}`;

/**
 * Registered (its DDL committed, in the same transaction as the row), and its marker — the
 * last table its DDL creates, holding one row — still there: neither the schema nor that
 * table was dropped since.
 */
async function isPrepared(tx: SqlExecutor, generation: string): Promise<boolean> {
  const [state] = await tx.query<{ prepared: boolean }>(
    `select to_regclass($1) is not null and exists (select 1 from ${READ_MODEL_META} where key = $2) as prepared`,
    [readTables(generation).marker, generationKey(generation)],
  );
  return state?.prepared === true;
}

/**
 * Generations of the SQL read store: each one is a PostgreSQL schema `rm_<generation>`
 * holding every read table and index and its marker, and `public.read_model_meta` says
 * which is served.
 *
 * `activate` writes the pointer and the replay mark in one statement, so no reader or
 * projector can see one without the other. Readers in this process see the swap once the
 * caller tells ActiveGeneration; other processes within GENERATION_TTL_MS.
 *
 * Every change runs in one transaction under an advisory lock: DDL is transactional in
 * PostgreSQL, so a generation is either completely prepared (tables, indexes, registry row)
 * or not at all, and `activate`/`drop` can check what they act on without racing each other.
 */
@injectable()
export class SqlReadModelGenerations implements ReadModelGenerations {
  readonly kind = 'sql';
  private metaReady: Promise<void> | null = null;

  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async prepare(generation: string): Promise<void> {
    const tables = readTables(generation);
    await this.ensureMeta();
    await this.admin(async (tx) => {
      // A registered generation is complete (it was prepared in one transaction). Its DDL is
      // not run again: even `create index if not exists` takes a SHARE lock on an existing
      // table, which at a replica's start could deadlock with the live projector's writes.
      if (await isPrepared(tx, generation)) {
        // Only the tables added since it was prepared, each new (so nothing else holds it).
        for (const { table, ddl } of readModelAdditions(tables)) {
          const [found] = await tx.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [table]);
          if (found?.present !== true) for (const statement of ddl) await tx.query(statement);
        }
        return;
      }
      for (const statement of readModelDdl(tables)) await tx.query(statement);
      // Microseconds of the clock at preparation: the registry's order is creation order.
      await tx.query(
        `insert into ${READ_MODEL_META} (key, value)
         values ($1, to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))
         on conflict (key) do nothing`,
        [generationKey(generation)],
      );
    });
  }

  async isIntact(generation: string): Promise<boolean> {
    const tables = readTables(generation);
    await this.ensureMeta();
    if (!(await isPrepared(this.db, generation))) return false;
    try {
      const [row] = await this.db.query<{ whole: boolean }>(`select exists (select 1 from ${tables.marker}) as whole`);
      return row?.whole === true;
    } catch (error) {
      // Dropped between the two statements.
      if (lostTables(error)) return false;
      throw error;
    }
  }

  async activeGeneration(): Promise<string | null> {
    await this.ensureMeta();
    return readMeta(this.db, ACTIVE_KEY);
  }

  async activate(generation: string, replayFrom: number): Promise<void> {
    schemaOf(generation); // throws for a name that is not one: before any statement
    if (!Number.isSafeInteger(replayFrom) || replayFrom < 0)
      throw new Error(`replayFrom must be an outbox position (an integer ≥ 0), got ${replayFrom}`);
    await this.ensureMeta();
    await this.admin(async (tx) => {
      if (!(await isPrepared(tx, generation)))
        throw new Error(`read-model generation ${generation} cannot be activated: it was never prepared`);
      await tx.query(
        `insert into ${READ_MODEL_META} (key, value) values ($1, $2), ($3, $4)
         on conflict (key) do update set value = excluded.value`,
        [ACTIVE_KEY, generation, REPLAY_FROM_KEY, String(replayFrom)],
      );
    });
  }

  writerFor(generation: string): ReadModelWriter {
    return SqlReadModelWriter.forGeneration(this.db, generation);
  }

  async listGenerations(): Promise<string[]> {
    await this.ensureMeta();
    // Only generations this store prepared and whose schema still exists; a stray `rm_`
    // schema someone made by hand is never listed, so never dropped.
    const rows = await this.db.query<{ generation: string }>(
      `select substr(m.key, $1::int) as generation
         from ${READ_MODEL_META} m
         join pg_namespace n on n.nspname = $3::text || substr(m.key, $1::int)
        where m.key like $2
        order by m.value, m.key`,
      [GENERATION_KEY_PREFIX.length + 1, `${GENERATION_KEY_PREFIX}%`, SCHEMA_PREFIX],
    );
    return rows.map((row) => row.generation);
  }

  async drop(generation: string): Promise<void> {
    const schema = schemaOf(generation);
    await this.ensureMeta();
    await this.admin(async (tx) => {
      if ((await readMeta(tx, ACTIVE_KEY)) === generation)
        throw new Error(`read-model generation ${generation} is active and cannot be dropped`);
      await tx.query(`drop schema if exists "${schema}" cascade`);
      await tx.query(`delete from ${READ_MODEL_META} where key = $1`, [generationKey(generation)]);
    });
  }

  async replayFrom(): Promise<number | null> {
    await this.ensureMeta();
    const value = await readMeta(this.db, REPLAY_FROM_KEY);
    return value === null ? null : Number(value);
  }

  async clearReplayFrom(): Promise<void> {
    await this.ensureMeta();
    await this.db.query(`delete from ${READ_MODEL_META} where key = $1`, [REPLAY_FROM_KEY]);
  }

  /** Creates the pointer table once per process (idempotent across processes). */
  private ensureMeta(): Promise<void> {
    this.metaReady ??= this.admin(async (tx) => {
      await tx.query(
        `create table if not exists ${READ_MODEL_META} (
           key text collate "C" not null,
           value text not null,
           constraint read_model_meta_pkey primary key (key)
         )`,
      );
    }).catch((error: unknown) => {
      this.metaReady = null;
      throw error;
    });
    return this.metaReady;
  }

  private admin(work: (tx: SqlExecutor) => Promise<void>): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock($1::int, $2::int) as locked`, [ADMIN_LOCK_SPACE, ADMIN_LOCK_KEY]);
      await work(tx);
    });
  }
}
