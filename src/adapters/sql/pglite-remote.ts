import type { Results } from '@electric-sql/pglite';
import { Worker } from 'node:worker_threads';
import type { FinishedStatement } from './orm-query-log.js';
import type { ThreadAnswer, ThreadError, ThreadReady, ThreadRequest, ThreadStart } from './pglite-thread.js';
import type { SqlExecutor } from './sql-database.js';

/** SQLSTATE connection_failure: what a statement fails with once the database's thread is gone (an outage, sql-errors.ts). */
const CONNECTION_FAILURE = '08006';

/** Distributes over the union, so each request keeps its own fields. */
type Unsent<T> = T extends { readonly id: number } ? Omit<T, 'id'> : never;

/** The error the other thread reported, rebuilt with its fields (code, constraint…), as the drivers' errors carry them. */
function rebuilt(error: ThreadError): Error {
  const rebuiltError = Object.assign(new Error(error.message), error.fields);
  if (error.name !== 'Error') Object.defineProperty(rebuiltError, 'name', { value: error.name, enumerable: false, configurable: true });
  return rebuiltError;
}

/**
 * The worker's entry point: the compiled module beside this one, or, when this module runs
 * from its TypeScript source (tests, `npm run dev`), that source loaded through tsx.
 */
function startThread(start: ThreadStart): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './pglite-thread.ts' : './pglite-thread.js', import.meta.url);
  const options = { workerData: start };
  if (entry.pathname.endsWith('.js')) return new Worker(entry, options);
  const source = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(source, { ...options, eval: true });
}

/**
 * PGlite in a thread of its own (pglite-thread.ts), reached by messages: what
 * `openSqlDatabase` runs on the embedded database. It offers SqlDatabase the statements of
 * PgliteStatements (`query`, `transaction`) and the ORM a stand-in for the PGlite instance
 * (`client`: `query`, `transaction`, `exec`), each call one message there and one back.
 *
 * While a request is outstanding the thread keeps the process alive; when none is, it
 * does not, so a process that has nothing else to do exits as it would without it.
 */
export class PgliteRemote {
  private nextId = 0;
  private nextTransaction = 0;
  private readonly pending = new Map<number, { resolve: (answer: ThreadAnswer) => void; reject: (error: Error) => void }>();
  private stopped: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (answer: ThreadAnswer) => this.settle(answer));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the embedded database's thread exited (code ${code})`)));
    worker.unref();
  }

  /** Starts the thread and waits until it has opened the database in `dataDir` (a folder, or `memory://`). */
  static async start(dataDir: string): Promise<PgliteRemote> {
    const worker = startThread({ dataDir });
    const listeners: { message?: (ready: ThreadReady) => void; error?: (error: Error) => void; exit?: (code: number) => void } = {};
    const ready = await new Promise<ThreadReady>((resolve, reject) => {
      listeners.message = resolve;
      listeners.error = reject;
      listeners.exit = (code) => reject(new Error(`the embedded database's thread exited at start (code ${code})`));
      worker.once('message', listeners.message).once('error', listeners.error).once('exit', listeners.exit);
    })
      .catch(async (error: unknown) => {
        await worker.terminate();
        throw error;
      })
      .finally(() => worker.off('message', listeners.message!).off('error', listeners.error!).off('exit', listeners.exit!));
    if (!ready.ready) {
      await worker.terminate();
      throw rebuilt(ready.error);
    }
    return new PgliteRemote(worker);
  }

  /** One statement, prepared under a name, in a transaction of its own (PgliteStatements.query). */
  async query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.value({ op: 'statement', sql, params })) as T[];
  }

  /**
   * Runs `work` in one transaction there (PgliteStatements.transaction): BEGIN, `work`'s
   * statements, then COMMIT, or ROLLBACK if `work` throws. `report` is told of BEGIN and
   * COMMIT or ROLLBACK as timed there, so a wait for the transaction lock is not counted as BEGIN's.
   */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, report?: (done: FinishedStatement) => void): Promise<T> {
    const tx = ++this.nextTransaction;
    await this.control({ op: 'begin', tx, kind: 'own' }, report);
    let result: T;
    try {
      result = await work({ query: async <R>(sql: string, params: readonly unknown[] = []) => (await this.value({ op: 'in', tx, sql, params })) as R[] });
    } catch (error) {
      await this.control({ op: 'end', tx, commit: false }, report).catch(() => undefined);
      throw error;
    }
    await this.control({ op: 'end', tx, commit: true }, report);
    return result;
  }

  /**
   * What the ORM is given for its PGlite instance (`driverOptions.pglite`): the calls
   * Kysely's PGlite dialect and MikroORM's PGlite connection make.
   */
  readonly client = {
    query: async <T>(sql: string, params: unknown[] = [], options?: object): Promise<Results<T>> =>
      (await this.value({ op: 'query', sql, params, ...(options === undefined ? {} : { options }) })) as Results<T>,
    transaction: async <T>(callback: (tx: { query: <R>(sql: string, params?: unknown[], options?: object) => Promise<Results<R>> }) => Promise<T>): Promise<T> => {
      const tx = ++this.nextTransaction;
      await this.control({ op: 'begin', tx, kind: 'orm' }, undefined);
      let result: T;
      try {
        result = await callback({
          query: async <R>(sql: string, params: unknown[] = [], options?: object) =>
            (await this.value({ op: 'in', tx, sql, params, ...(options === undefined ? {} : { options }) })) as Results<R>,
        });
      } catch (error) {
        await this.control({ op: 'end', tx, commit: false }, undefined).catch(() => undefined);
        throw error;
      }
      await this.control({ op: 'end', tx, commit: true }, undefined);
      return result;
    },
    exec: async (sql: string): Promise<Results[]> => (await this.value({ op: 'exec', sql })) as Results[],
    /** Closing is SqlDatabase's (`close` below), after the ORM has closed. */
    close: async (): Promise<void> => {},
    get closed(): boolean {
      return false;
    },
    ready: true,
    waitReady: Promise.resolve(),
  };

  /** Closes the database there (its files flushed), then ends the thread. */
  async close(): Promise<void> {
    if (this.stopped !== null) return;
    try {
      await this.value({ op: 'close' });
    } finally {
      this.stop(new Error('the embedded database is closed'));
      await this.worker.terminate();
    }
  }

  /** A transaction's begin or end: the control statements it ran there are told to `report`, whether it failed or not. */
  private async control(request: Unsent<ThreadRequest>, report: ((done: FinishedStatement) => void) | undefined): Promise<void> {
    const answer = await this.ask(request);
    if (report !== undefined) for (const statement of answer.statements ?? []) report(statement);
    if (!answer.ok) throw rebuilt(answer.error);
  }

  private async value(request: Unsent<ThreadRequest>): Promise<unknown> {
    const answer = await this.ask(request);
    if (!answer.ok) throw rebuilt(answer.error);
    return answer.value;
  }

  /** Sends `request` and answers its reply, an error there included; rejects only when the thread is gone. */
  private ask(request: Unsent<ThreadRequest>): Promise<ThreadAnswer> {
    if (this.stopped !== null) return Promise.reject(this.stopped);
    const id = ++this.nextId;
    return new Promise<ThreadAnswer>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } as ThreadRequest);
    });
  }

  private settle(answer: ThreadAnswer): void {
    const waiting = this.pending.get(answer.id);
    if (waiting === undefined) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.worker.unref();
    waiting.resolve(answer);
  }

  /** The thread is gone (or closed): whatever waits fails as a lost connection, and so does every later call. */
  private stop(reason: Error): void {
    if (this.stopped !== null) return;
    this.stopped = Object.assign(new Error(`The embedded database is unavailable: ${reason.message}`, { cause: reason }), { code: CONNECTION_FAILURE });
    for (const waiting of this.pending.values()) waiting.reject(this.stopped);
    this.pending.clear();
  }
}
