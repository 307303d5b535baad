import { DefaultLogger, type LogContext, type LoggerNamespace } from '@mikro-orm/core';

/**
 * A statement reported once it is done: one MikroORM ran by itself (its text has `?`
 * placeholders, never values), or a transaction's `begin`, `commit` or `rollback`.
 */
export interface FinishedStatement {
  readonly sql: string;
  /** When it was sent and when it was answered, in milliseconds since the epoch (MikroORM times it to the millisecond). */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly failed: boolean;
}

/** Now, in milliseconds since the epoch, to the microsecond: the clock of `FinishedStatement`. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

/** Runs `statement` and, when there is a `report`, reports it done as `sql`, timed, failed or not. */
export async function reported<T>(sql: string, statement: () => Promise<T>, report: ((done: FinishedStatement) => void) | undefined): Promise<T> {
  if (report === undefined) return statement();
  const startedAt = wallClockMs();
  let failed = true;
  try {
    const result = await statement();
    failed = false;
    return result;
  } finally {
    report({ sql, startedAt, endedAt: wallClockMs(), failed });
  }
}

/**
 * MikroORM's own logger (the `loggerFactory` of both SQL drivers), which can also tell a
 * listener of every statement the ORM runs: entity-manager loads, and the `begin`/`commit`
 * of the transactions it opens. MikroORM calls `logQuery` after each statement, in the
 * caller's async context, with the time it took; `begin`/`commit` come without one (the
 * ORM does not time them) and are reported as instants. Nothing listens unless metrics or
 * tracing are on (SqlDatabase.observe). While one listens, MikroORM is never asked to log values
 * (`query-params`), so the text it reports keeps its placeholders.
 */
export class OrmQueryLog extends DefaultLogger {
  private listener: ((statement: FinishedStatement) => void) | undefined;

  get listening(): boolean {
    return this.listener !== undefined;
  }

  listen(listener: (statement: FinishedStatement) => void): void {
    this.listener = listener;
  }

  override isEnabled(namespace: LoggerNamespace, context?: LogContext): boolean {
    if (namespace === 'query-params' && this.listener !== undefined) return false;
    return super.isEnabled(namespace, context);
  }

  override logQuery(context: { query: string } & LogContext): void {
    super.logQuery(context);
    // Without a slow-query logger of its own, MikroORM reports a slow statement here twice.
    if (this.listener === undefined || context.namespace === 'slow-query') return;
    const endedAt = wallClockMs();
    this.listener({
      sql: context.query,
      startedAt: endedAt - (context.took ?? 0),
      endedAt,
      failed: context.level === 'error',
    });
  }
}
