import type { AbstractSqlConnection } from '@mikro-orm/sql';
import { CompiledQuery } from 'kysely';
import type { StoredAuthor } from '../../application/read-model/stored.js';
import type { SqlOrm } from '../postgres/orm.js';

/** Something that runs one SQL statement with bound parameters (`$1`, `$2`, …). */
export interface SqlStatements {
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/**
 * The read store's way into the shared SQL connection.
 *
 * Statements go through the Kysely client MikroORM already owns, with real bind
 * parameters: `Connection.execute(sql, params)` would inline the values into the SQL text
 * on the client (and spreads arrays into comma lists, which `text[]` parameters cannot
 * survive). Going through the same client keeps PGlite's single connection serialised.
 */
export class SqlReadDatabase implements SqlStatements {
  constructor(private readonly orm: SqlOrm) {}

  async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.connection().getClient().executeQuery<T>(CompiledQuery.raw(sql, [...params]));
    return result.rows;
  }

  /**
   * Runs `work` in one READ COMMITTED transaction. `work` must only await statements of
   * the transaction it is given: on PGlite the open transaction holds the only connection,
   * so awaiting any other query from inside would wait forever.
   */
  transaction<T>(work: (tx: SqlStatements) => Promise<T>): Promise<T> {
    return this.connection().transactional((trx) =>
      work({
        rows: async <R>(sql: string, params: readonly unknown[] = []): Promise<R[]> => {
          const result = await trx.executeQuery<R>(CompiledQuery.raw(sql, [...params]));
          return result.rows;
        },
      }),
    );
  }

  /** The SqlOrm's entity manager type is an intersection whose first `getConnection` is the core one. */
  private connection(): AbstractSqlConnection {
    return this.orm.em.getConnection() as AbstractSqlConnection;
  }
}

/**
 * Timestamps leave the database as ISO-8601 with milliseconds and `Z`, the same text on
 * every driver (node-postgres and PGlite would otherwise each pick their own format).
 */
export const isoTimestamp = (column: string): string =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface AuthorColumns {
  readonly author_id: string;
  readonly author_username: string;
  readonly author_bio: string | null;
  readonly author_image: string | null;
}

export const authorColumns = (alias: string): string =>
  `${alias}.author_id, ${alias}.author_username, ${alias}.author_bio, ${alias}.author_image`;

export const toAuthor = (row: AuthorColumns): StoredAuthor => ({
  id: row.author_id,
  username: row.author_username,
  bio: row.author_bio,
  image: row.author_image,
});
