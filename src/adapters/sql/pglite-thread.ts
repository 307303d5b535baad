import { PGlite } from '@electric-sql/pglite';
import { createPostgreSqlTypeParsers } from '@mikro-orm/sql';
import { parentPort, workerData } from 'node:worker_threads';
import array from 'postgres-array';
import type { FinishedStatement } from './orm-query-log.js';
import { compactPgliteParsers } from './pglite-parsers.js';
import { PgliteStatements } from './pglite-statements.js';

/**
 * The embedded database's own thread: PGlite and its prepared statements
 * (pglite-statements.ts) run here, and the server's thread sends each statement as a
 * message (pglite-remote.ts). PGlite runs PostgreSQL compiled to WebAssembly, and every
 * statement's work is synchronous in the thread that calls it; in the server's thread no
 * socket is read meanwhile. Here it runs beside the HTTP work, on the other core.
 *
 * This module is the thread's entry point and nothing else imports it.
 */

/** What the server's thread asks: each with an `id` its answer carries back. */
export type ThreadRequest =
  /** A statement as the ORM sends it through Kysely (`PGlite.query`, served unnamed by PgliteStatements). */
  | { readonly id: number; readonly op: 'query'; readonly sql: string; readonly params: readonly unknown[]; readonly options?: object }
  /** A statement prepared under a name, in a transaction of its own (PgliteStatements.query). */
  | { readonly id: number; readonly op: 'statement'; readonly sql: string; readonly params: readonly unknown[] }
  /** A script of statements (PGlite.exec). */
  | { readonly id: number; readonly op: 'exec'; readonly sql: string }
  /**
   * Opens transaction `tx`: `own` as PgliteStatements runs SqlDatabase's (named statements,
   * BEGIN and COMMIT timed), `orm` as PGlite runs the ORM's (migrations). Answered once begun.
   */
  | { readonly id: number; readonly op: 'begin'; readonly tx: number; readonly kind: 'own' | 'orm' }
  /** A statement of open transaction `tx`. */
  | { readonly id: number; readonly op: 'in'; readonly tx: number; readonly sql: string; readonly params: readonly unknown[]; readonly options?: object }
  /** Ends transaction `tx`: COMMIT, or ROLLBACK. Answered once ended. */
  | { readonly id: number; readonly op: 'end'; readonly tx: number; readonly commit: boolean }
  | { readonly id: number; readonly op: 'close' };

/** An error as it crosses to the other thread: its message, name and every field PostgreSQL put on it (code, constraint, detail…). */
export interface ThreadError {
  readonly message: string;
  readonly name: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type ThreadAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly statements?: readonly FinishedStatement[] }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError; readonly statements?: readonly FinishedStatement[] };

/** What the thread is started with. */
export interface ThreadStart {
  readonly dataDir: string;
}

/** The first message the thread sends: ready, or why it could not open the database. */
export type ThreadReady = { readonly ready: true } | { readonly ready: false; readonly error: ThreadError };

export function threadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error', fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === undefined || typeof value === 'function' || (typeof value === 'object' && value !== null)) continue;
    fields[key] = value;
  }
  return { message: error.message, name: error.name, fields };
}

/** The marker a transaction rolled back on request ends with (it is not an error of the statements). */
class RolledBack extends Error {}

/** One open transaction: `run` runs one of its statements; `end` lets it commit or roll back. */
interface Open {
  /** Rows for SqlDatabase's own transactions; PGlite's whole results (rows, affected rows) for the ORM's. */
  run(sql: string, params: readonly unknown[], options: object | undefined): Promise<unknown>;
  end(commit: boolean): void;
  /** Settles once the transaction has ended, with the control statements it ran (SqlDatabase's transactions). */
  readonly ended: Promise<readonly FinishedStatement[]>;
}

class DatabaseThread {
  private readonly open = new Map<number, Open>();

  constructor(
    private readonly pglite: PGlite,
    private readonly statements: PgliteStatements,
    private readonly answer: (message: ThreadAnswer) => void,
  ) {}

  handle(request: ThreadRequest): void {
    this.run(request).then(
      (reply) => this.answer({ id: request.id, ok: true, value: reply.value, ...(reply.statements ? { statements: reply.statements } : {}) }),
      (error: unknown) => {
        const statements = (error as { statements?: readonly FinishedStatement[] }).statements;
        const cause = (error as { cause?: unknown }).cause;
        this.answer({ id: request.id, ok: false, error: threadError(statements ? cause : error), ...(statements ? { statements } : {}) });
      },
    );
  }

  private async run(request: ThreadRequest): Promise<{ value: unknown; statements?: readonly FinishedStatement[] }> {
    switch (request.op) {
      case 'query':
        return { value: await this.pglite.query(request.sql, [...request.params], request.options) };
      case 'statement':
        return { value: await this.statements.query(request.sql, request.params) };
      case 'exec':
        return { value: await this.pglite.exec(request.sql) };
      case 'begin':
        return this.begin(request.tx, request.kind);
      case 'in':
        return { value: await this.transactionOf(request.tx).run(request.sql, request.params, request.options) };
      case 'end': {
        const open = this.transactionOf(request.tx);
        open.end(request.commit);
        return { value: null, statements: await open.ended };
      }
      case 'close':
        await this.pglite.close();
        return { value: null };
    }
  }

  private transactionOf(tx: number): Open {
    const open = this.open.get(tx);
    if (open === undefined) throw new Error(`no open transaction ${tx} on the embedded database`);
    return open;
  }

  /**
   * Opens a transaction that stays open until `end`: PGlite's transaction lock is held
   * meanwhile, so the statements of every other request wait, as they would in one thread.
   */
  private begin(tx: number, kind: 'own' | 'orm'): Promise<{ value: unknown; statements?: readonly FinishedStatement[] }> {
    const ran: FinishedStatement[] = [];
    let finish!: (commit: boolean) => void;
    const decided = new Promise<void>((resolve, reject) => {
      finish = (commit) => (commit ? resolve() : reject(new RolledBack()));
    });
    let begun!: (run: Open['run']) => void;
    const opened = new Promise<Open['run']>((resolve) => (begun = resolve));
    const start = (run: Open['run']): Promise<void> => {
      begun(run);
      return decided;
    };
    const transaction =
      kind === 'own'
        ? this.statements.transaction((tx) => start((sql, params) => tx.query(sql, params)), (done) => ran.push(done))
        : this.pglite.transaction((tx) => start((sql, params, options) => tx.query(sql, [...params], options)));
    const ended = transaction.then(
      () => ran.splice(0),
      (error: unknown) => {
        if (error instanceof RolledBack) return ran.splice(0);
        throw Object.assign(new Error('transaction failed'), { cause: error, statements: ran.splice(0) });
      },
    );
    ended.catch(() => undefined).finally(() => this.open.delete(tx));
    // Answered once BEGIN has run, or with BEGIN's failure.
    return Promise.race([
      opened.then((run) => {
        this.open.set(tx, { run, end: finish, ended });
        return { value: null, statements: ran.splice(0) };
      }),
      ended.then(() => {
        throw new Error(`transaction ${tx} ended before it began`);
      }),
    ]);
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('pglite-thread.ts runs only as a worker thread');
  const { dataDir } = workerData as ThreadStart;
  let thread: DatabaseThread;
  try {
    // The parsers MikroORM gives the PGlite it opens itself, so rows read the same either way.
    const pglite = await PGlite.create({ dataDir, parsers: createPostgreSqlTypeParsers((text: string) => array.parse(text)) });
    await compactPgliteParsers(pglite);
    const statements = new PgliteStatements(pglite);
    statements.serveQueries();
    thread = new DatabaseThread(pglite, statements, (message) => port.postMessage(message));
  } catch (error) {
    port.postMessage({ ready: false, error: threadError(error) } satisfies ThreadReady);
    return;
  }
  port.on('message', (request: ThreadRequest) => thread.handle(request));
  port.postMessage({ ready: true } satisfies ThreadReady);
}

await main();
