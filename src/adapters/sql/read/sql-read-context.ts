import { inject, injectable } from 'inversify';
import { ActiveGeneration } from '../../../application/read-side/active-generation.js';
import type { AuthorReadModel } from '../../../application/read-side/read-models.js';
import { DependencyUnavailable } from '../../../application/shared/errors.js';
import { SqlDatabase } from '../sql-database.js';
import { readTables, type ReadTables } from './read-tables.js';

/** PostgreSQL's "undefined_table": the generation's tables are gone (a dropped schema). */
const UNDEFINED_TABLE = '42P01';

/**
 * What the SQL read adapters share: the one database, and the tables of the generation
 * this process serves (the one ActiveGeneration cache). A read store that has lost its data
 * is an outage of the read store, not a bug: it surfaces as DependencyUnavailable, and the
 * projector repairs the store and replays the outbox into it.
 */
@injectable()
export class SqlReadContext {
  constructor(
    @inject(SqlDatabase) readonly db: SqlDatabase,
    @inject(ActiveGeneration) private readonly active: ActiveGeneration,
  ) {}

  /** The tables of the generation this process serves; NoActiveGeneration (an outage) when there is none. */
  async tables(): Promise<ReadTables> {
    return readTables(await this.active.current());
  }

  /** One statement over the active generation's tables. */
  async query<T>(statement: (t: ReadTables) => string, params: readonly unknown[] = []): Promise<T[]> {
    return this.run<T>(statement(await this.tables()), params);
  }

  /** One statement already written against `tables()`. */
  async run<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      return await this.db.query<T>(sql, params);
    } catch (error) {
      throw lostTables(error) ? new DependencyUnavailable('read-store', { cause: error }) : error;
    }
  }
}

export const lostTables = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNDEFINED_TABLE;

/** The embedded author columns every article and comment row carries. */
export interface AuthorColumns {
  readonly author_id: string;
  readonly author_username: string;
  readonly author_bio: string | null;
  readonly author_image: string | null;
}

export const authorColumns = (alias: string): string =>
  `${alias}.author_id, ${alias}.author_username, ${alias}.author_bio, ${alias}.author_image`;

export const toAuthor = (row: AuthorColumns): AuthorReadModel => ({
  id: row.author_id,
  username: row.author_username,
  bio: row.author_bio,
  image: row.author_image,
});
