import type { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import pg from 'pg';
import { OrmQueryLog, type FinishedStatement } from './orm-query-log.js';
import { pooledTransaction, prepared } from './postgres-statements.js';
import { COUNT_DELTAS_TABLE } from './read/read-tables.js';
import { translateOutage } from './sql-errors.js';

/** Both drivers are PostgreSQL dialects on the SQL layer; adapters only rely on that. */
export type SqlOrm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

/** Runs one SQL statement with real bind parameters (`$1`, `$2`, …) and answers its rows. */
export interface SqlExecutor {
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** Connections of a pool: handed out, waiting in the pool, and requests waiting for one. */
export interface PoolUsage {
  readonly used: number;
  readonly idle: number;
  readonly waiting: number;
}

/**
 * Told of every statement and transaction (metrics: counted and timed by kind; tracing: a
 * span each). A transaction is told as `statement('transaction', …)` around it, each of
 * its statements as a `statement` within that, and its `begin` and its `commit` or
 * `rollback` as `ran`: every statement the database runs is told exactly once, with the
 * pseudo-statement `transaction` around those of a transaction.
 */
export interface StatementObserver {
  /** One statement of `query` or of a transaction, or a whole `transaction`, which `work` runs. */
  statement<T>(sql: string, work: () => Promise<T>): Promise<T>;
  /** One reported once done: MikroORM's own (entity-manager loads), and every transaction's `begin`, `commit`, `rollback`. */
  ran(statement: FinishedStatement): void;
}

/** Tells `first`, then `second`, of each statement (`second`'s `statement` runs inside `first`'s). */
export function bothObservers(first: StatementObserver, second: StatementObserver): StatementObserver {
  return {
    statement: (sql, work) => first.statement(sql, () => second.statement(sql, work)),
    ran: (statement) => {
      first.ran(statement);
      second.ran(statement);
    },
  };
}

/** An executor that also runs transactions (`work` must await only the statements of `tx`). */
export interface SqlTransactor extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** A transactor that can tell of its transactions' `begin`, `commit` and `rollback` (`report`), which it runs itself. */
interface ReportingTransactor extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, report?: (done: FinishedStatement) => void): Promise<T>;
}

/**
 * The embedded database's statements, prepared under names: PgliteStatements in this
 * thread, or PgliteRemote sending them to PGlite's own thread.
 */
export type EmbeddedStatements = ReportingTransactor;

/** `tx` with each statement told to `observer`. */
const observedExecutor = (observer: StatementObserver, tx: SqlExecutor): SqlExecutor => ({
  query: (sql, params) => observer.statement(sql, () => tx.query(sql, params)),
});

/**
 * The one way into the SQL database, shared by the write side, the outbox and the SQL read
 * store (one connection pool per process, one PGlite instance).
 *
 * - Aggregates are loaded through MikroORM's entity manager (`orm`), typed by the records.
 * - Every other statement goes through `query`/`transaction`, with real bind parameters
 *   (`Connection.execute(sql, params)` would inline the values on the client and spread
 *   arrays into comma lists, which `text[]` parameters cannot survive): on PostgreSQL
 *   straight to the pool MikroORM owns, a transaction on one of its connections, every
 *   statement prepared under a name (postgres-statements.ts); on PGlite straight to
 *   PGlite's protocol, prepared under names too (pglite-statements.ts, ADR 020). Either way
 *   each transaction's BEGIN and COMMIT are this class's own, so its observers are told of
 *   them. Saves are single statements with data-modifying CTEs (the row, its events and
 *   their queue entries in one atomic statement), which the unit-of-work API does not
 *   express.
 * - Driver errors that mean the database cannot be reached become DependencyUnavailable
 *   here, once; constraint violations are left to the repositories (sql-errors.ts).
 */
export class SqlDatabase implements SqlTransactor {
  /**
   * Statements and transactions whose commit does not wait for the disk
   * (`synchronous_commit = off`, PostgreSQL only): for work a crash may undo as long as a
   * later ordinary commit is not undone — WAL is flushed in order, so once a later
   * synchronous commit is durable, so is every earlier one. The subscribers' side of the
   * outbox (claims, renewals, acknowledgements) and the read-model writers use it: a lost
   * acknowledgement or projection only means an event is applied again, which is
   * harmless, and not waiting for the disk releases their locks and hot counters at once.
   * Writes of the write model never use it: a client's write is durable when answered.
   */
  get relaxed(): SqlTransactor {
    return this.relaxedView;
  }

  private relaxedView: SqlTransactor;
  private observer: StatementObserver | null = null;

  constructor(
    readonly orm: SqlOrm,
    /** 'postgresql' (a server, DATABASE_URL) or 'pglite' (embedded, one connection in this process, in a thread of its own by default). */
    readonly kind: 'postgresql' | 'pglite',
    /** The PostgreSQL URL (processes that need a connection of their own: LISTEN, advisory locks); none for PGlite. */
    readonly url: string | undefined,
    private readonly onClose: () => Promise<void>,
    relaxed?: ReportingTransactor,
    /** PostgreSQL's pools: the ORM's (which `query` also runs on), then the relaxed one; none for PGlite. */
    private readonly pools: readonly pg.Pool[] = [],
    /** PGlite's statements, prepared under names (`query` and `transaction` run there); none for PostgreSQL. */
    private readonly pgliteStatements?: EmbeddedStatements,
  ) {
    this.relaxedView = relaxed ?? this;
  }

  /**
   * Reports every statement from now on, the relaxed ones and the ORM's own included, to
   * `observer`; called again, to this one as well (the metrics', then the traces').
   */
  observe(observer: StatementObserver): void {
    const first = this.observer === null;
    this.observer = first ? observer : bothObservers(this.observer!, observer);
    if (!first) return;
    this.ormLog()?.listen((statement) => this.observer?.ran(statement));
    const relaxed = this.relaxedView;
    const report = (done: FinishedStatement) => this.observer?.ran(done);
    if (relaxed !== this)
      this.relaxedView = {
        query: (sql, params) => this.observer!.statement(sql, () => relaxed.query(sql, params)),
        transaction: (work) =>
          this.observer!.statement('transaction', () =>
            (relaxed as ReportingTransactor).transaction((tx) => work(observedExecutor(this.observer!, tx)), report),
          ),
      };
  }

  query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.observer ? this.observer.statement(sql, () => this.execute<T>(sql, params)) : this.execute<T>(sql, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const observer = this.observer;
    if (observer === null) return this.transact(work);
    return observer.statement('transaction', () => this.transact((tx) => work(observedExecutor(observer, tx)), (done) => observer.ran(done)));
  }

  private async execute<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    try {
      if (this.pgliteStatements !== undefined) return await this.pgliteStatements.query<T>(sql, params);
      return (await this.ormPool().query(prepared(sql, params))).rows as T[];
    } catch (error) {
      throw translateOutage(error);
    }
  }

  /**
   * Runs `work` in one READ COMMITTED transaction. `work` must only await statements of
   * the transaction it is given: on PGlite the open transaction holds the only connection,
   * so awaiting any other query from inside would wait forever.
   */
  private async transact<T>(work: (tx: SqlExecutor) => Promise<T>, report?: (done: FinishedStatement) => void): Promise<T> {
    try {
      if (this.pgliteStatements !== undefined) return await this.pgliteStatements.transaction(work, report);
      return await pooledTransaction(this.ormPool(), work, report);
    } catch (error) {
      throw translateOutage(error);
    }
  }

  /** On PostgreSQL, the pool MikroORM owns (the first of `pools`): `query` and `transaction` run there, beside the ORM's own loads. */
  private ormPool(): pg.Pool {
    const pool = this.pools[0];
    if (pool === undefined) throw new Error('SqlDatabase has neither PGlite statements nor a PostgreSQL pool');
    return pool;
  }

  /**
   * Runs `work` while holding a database-wide advisory lock named `name`, taken on a
   * connection of its own: processes starting together on an empty database take turns
   * at migrating and preparing the read models instead of racing (concurrent `create …`
   * of one object fails in PostgreSQL). PGlite is single-process: nothing to take turns with.
   */
  async exclusively<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.kind === 'pglite' || this.url === undefined) return work();
    const client = new pg.Client({ connectionString: this.url });
    await client.connect().catch((error: unknown) => {
      throw translateOutage(error);
    });
    try {
      await client.query('select pg_advisory_lock(hashtext($1))', [`conduit:${name}`]);
      return await work();
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Brings the write model's schema up to date (pending migrations, in order, each in a transaction). */
  async migrate(): Promise<void> {
    await this.orm.migrator.up();
  }

  /**
   * Reclaims the dead rows updates and deletes leave (outbox queue entries, recounts) and
   * refreshes the planner's statistics. PostgreSQL servers do this themselves
   * (autovacuum); PGlite has no autovacuum, so the embedded default calls it now and then.
   */
  async vacuum(): Promise<void> {
    await this.query('vacuum (analyze)');
  }

  /**
   * Vacuums only the tables rows pass through: the outbox's queue (an entry per event and
   * subscriber, deleted once handled) and each read-model generation's pending count
   * deltas (deleted by the next fold). Their dead rows outnumber the live ones within
   * seconds, and every claim of the queue scanned them: on PGlite, under a steady write
   * load, a relay's claim grew from 1 ms to 70 ms in 15 s (it holds the only connection
   * meanwhile). Both tables are small when vacuumed often, so this takes milliseconds.
   */
  async vacuumQueues(): Promise<void> {
    const tables = await this.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables where tablename = any($1::text[]) order by 1`,
      [['outbox_pending', COUNT_DELTAS_TABLE]],
    );
    if (tables.length > 0) await this.query(`vacuum ${tables.map((table) => table.name).join(', ')}`);
  }

  /** The PostgreSQL pools' connections, summed (the ORM's and the relaxed one); null on PGlite, which has none. */
  poolUsage(): PoolUsage | null {
    if (this.pools.length === 0) return null;
    let total = 0;
    let idle = 0;
    let waiting = 0;
    for (const pool of this.pools) {
      total += pool.totalCount;
      idle += pool.idleCount;
      waiting += pool.waitingCount;
    }
    return { used: total - idle, idle, waiting };
  }

  close(): Promise<void> {
    return this.onClose();
  }

  /** MikroORM's logger, when it is ours (openSqlDatabase installs it): whatever observes the ORM's statements listens there. */
  ormLog(): OrmQueryLog | undefined {
    const logger = this.orm.config.getLogger();
    return logger instanceof OrmQueryLog ? logger : undefined;
  }
}

/**
 * A timestamp column as ISO-8601 text with milliseconds and `Z`: the same text from both
 * drivers (node-postgres and PGlite would otherwise each pick their own format).
 */
export const isoTimestamp = (column: string): string =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
