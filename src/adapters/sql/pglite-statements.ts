import { parse, protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';
import { reported, type FinishedStatement } from './orm-query-log.js';
import type { SqlExecutor } from './sql-database.js';

/** Statements that may be prepared under a name (utility statements, such as VACUUM, may not). */
export const PREPARABLE = /^\s*(with|select|insert|update|delete)\b/i;
/** Statement texts given a name so far, per connection; past this many, further texts run unnamed. */
export const MAX_NAMED_STATEMENTS = 2_000;

/** SQLSTATE feature_not_supported, which "cached plan must not change result type" carries. */
const FEATURE_NOT_SUPPORTED = '0A000';

const { serialize } = protocol;
const SYNC = serialize.sync();
const DESCRIBE_PORTAL = serialize.describe({ type: 'P' });
const EXECUTE = serialize.execute({});

interface Prepared {
  readonly name: string;
  /** The parameters' type OIDs, as PostgreSQL inferred them: which serializer each value takes. */
  readonly parameterTypes: readonly number[];
}

/**
 * Statements on PGlite, each text parsed and planned once and then only bound and
 * executed, as node-postgres does on PostgreSQL with named statements (`prepared` in
 * sql-database.ts).
 *
 * PGlite's own `query` parses the text again on every call and goes into the WebAssembly
 * PostgreSQL six times for it (parse, describe the statement, bind, describe the portal,
 * execute, sync), each time handing its answer through JavaScript. Here a statement seen
 * before is one call: bind, describe, execute and sync in one buffer, with the plan
 * PostgreSQL cached for the name. On these machines a write's statement took 120–200 µs
 * this way against 350–510 µs through `query`.
 *
 * Values are turned into text by PGlite's own serializers and rows parsed by its own
 * parsers, for the parameter and column types PostgreSQL reports, exactly as `query` does.
 * Statements take PGlite's own locks: one outside a transaction waits until the open
 * transaction (the ORM's or this class's) ends; one inside runs between the statements of
 * its own transaction only.
 */
export class PgliteStatements {
  private readonly prepared = new Map<string, Prepared>();
  private named = 0;

  constructor(private readonly pglite: PGlite) {}

  /** One statement in a transaction of its own (PostgreSQL's implicit one), as `PGlite.query` runs it. */
  query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.alone(async () => {
      try {
        return (await this.run<T>(sql, params, true)).rows;
      } catch (error) {
        // Out of a transaction nothing was aborted: a statement whose cached plan no longer fits runs once more, prepared again.
        if (!this.forgetIfStale(error)) throw error;
        return (await this.run<T>(sql, params, true)).rows;
      }
    });
  }

  /**
   * Runs `work` in one transaction: BEGIN, then COMMIT, or ROLLBACK if it throws (the error
   * `work` threw is the one that comes out). `work` must await only `tx`'s statements.
   * PGlite's own `transaction` sends BEGIN and COMMIT as simple queries, each followed by a
   * sync of its own: four entries into PGlite; here each is one. `report` is told of each
   * of the three once it is done (metrics and traces count them as statements).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, report?: (done: FinishedStatement) => void): Promise<T> {
    return this.pglite._runExclusiveTransaction(async () => {
      await this.control('BEGIN', report);
      let result: T;
      try {
        result = await work({
          query: <R>(sql: string, params: readonly unknown[] = []) =>
            this.pglite._runExclusiveQuery(async () => {
              try {
                return (await this.run<R>(sql, params, true)).rows;
              } catch (error) {
                // This transaction is aborted either way; a stale statement is prepared again by the next one.
                this.forgetIfStale(error);
                throw error;
              }
            }),
        });
      } catch (error) {
        // A connection whose ROLLBACK failed is broken beyond this transaction; the next statement says so.
        await this.control('ROLLBACK', report).catch(() => undefined);
        throw error;
      }
      await this.control('COMMIT', report);
      await this.pglite.syncToFs();
      return result;
    });
  }

  /**
   * Makes PGlite's own `query`, which the ORM's entity loads reach through Kysely, send
   * each statement in one or two entries into PGlite instead of six, unnamed: the ORM
   * writes values into its texts, so every text is new and naming them would only fill
   * PGlite's session with plans that never run again. A call with options other than
   * Kysely's (`rowMode: 'object'`) goes to PGlite's own `query` as before, and so do the
   * statements of the ORM's transactions (migrations), which PGlite runs by itself.
   */
  serveQueries(): void {
    const pglite = this.pglite;
    const original = pglite.query.bind(pglite);
    const served = <T>(sql: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> => {
      const plain = options === undefined || Object.entries(options).every(([key, value]) => key === 'rowMode' && value === 'object');
      if (!plain) return original<T>(sql, params, options);
      return this.alone(() => this.run<T>(sql, params, false));
    };
    pglite.query = served;
  }

  /** How many statement texts this connection has prepared under a name. */
  get size(): number {
    return this.prepared.size;
  }

  /**
   * Runs `work` as PGlite's own `query` runs a statement outside a transaction: once the
   * open transaction has ended (its lock), alone (the statement lock), then syncing PGlite's
   * file system.
   */
  private alone<T>(work: () => Promise<T>): Promise<T> {
    return this.pglite._runExclusiveTransaction(() =>
      this.pglite._runExclusiveQuery(async () => {
        try {
          return await work();
        } finally {
          await this.pglite.syncToFs();
        }
      }),
    );
  }

  /** A transaction's control statement, as a simple query in one entry into PGlite. */
  private control(sql: 'BEGIN' | 'COMMIT' | 'ROLLBACK', report: ((done: FinishedStatement) => void) | undefined): Promise<void> {
    return reported(
      sql.toLowerCase(),
      () => this.pglite._runExclusiveQuery(async () => void (await this.pglite.execProtocolStream(serialize.query(sql), { syncToFs: false }))),
      report,
    );
  }

  private async run<T>(sql: string, params: readonly unknown[], named: boolean): Promise<Results<T>> {
    // Without parameters there is nothing to learn before binding: parse, bind and execute go in at once.
    if (!named && params.length === 0) return this.results<T>(serialize.parse({ name: '', text: sql, types: [] }), serialize.bind({}));
    const statement = (named ? this.prepared.get(sql) : undefined) ?? (await this.prepare(sql, named));
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pglite.serializers[statement.parameterTypes[i]!];
      return serializer ? (serializer(value) as string) : String(value);
    });
    return this.results<T>(serialize.bind({ statement: statement.name, values }));
  }

  /** Sends `messages`, then describe, execute and sync, as one buffer; the rows parsed by PGlite's own parsers. */
  private async results<T>(...messages: Uint8Array[]): Promise<Results<T>> {
    const answers = await this.pglite.execProtocolStream(Buffer.concat([...messages, DESCRIBE_PORTAL, EXECUTE, SYNC]), { syncToFs: false });
    return parse.parseResults(answers, this.pglite.parsers, { rowMode: 'object' })[0] as Results<T>;
  }

  /** Parses and describes `sql`: under a name of its own when it may be prepared and there is room, else as the unnamed statement. */
  private async prepare(sql: string, nameable: boolean): Promise<Prepared> {
    const named = nameable && PREPARABLE.test(sql) && this.prepared.size < MAX_NAMED_STATEMENTS;
    const name = named ? `p${++this.named}` : '';
    const messages = await this.pglite.execProtocolStream(
      Buffer.concat([serialize.parse({ name, text: sql, types: [] }), serialize.describe({ type: 'S', name }), SYNC]),
      { syncToFs: false },
    );
    const statement = { name, parameterTypes: parse.parseDescribeStatementResults(messages) };
    if (named) this.prepared.set(sql, statement);
    return statement;
  }

  /**
   * Whether `error` says a named statement's cached plan no longer fits its tables (a
   * column's type changed under it, as a migration may do). If so, every name is forgotten
   * and the next call of each text prepares it again under a new name; the old names stay
   * allocated in PGlite's one session until it closes, which costs nothing but memory.
   */
  private forgetIfStale(error: unknown): boolean {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code !== FEATURE_NOT_SUPPORTED || typeof message !== 'string' || !message.includes('cached plan')) return false;
    this.prepared.clear();
    return true;
  }
}
