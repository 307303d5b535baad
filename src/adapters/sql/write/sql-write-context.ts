import { inject, injectable } from 'inversify';
import { OutboxAppendOptions } from '../../../application/read-side/event-outbox.js';
import { CommitListener } from '../../../application/shared/commit-scope.js';
import { SqlDatabase } from '../sql-database.js';
import { translateOutage } from '../sql-errors.js';
import type { SaveContext } from './save-with-events.js';

/** What every SQL repository works with: the database, how its events are queued, whom to tell. */
@injectable()
export class SqlWriteContext implements SaveContext {
  constructor(
    @inject(SqlDatabase) readonly db: SqlDatabase,
    @inject(OutboxAppendOptions) readonly append: OutboxAppendOptions,
    @inject(CommitListener) readonly commits: CommitListener,
  ) {}

  /** A look-up through MikroORM's entity manager (a fresh fork: no identity map outlives it). */
  async load<T>(find: (em: SqlDatabase['orm']['em']) => Promise<T>): Promise<T> {
    try {
      return await find(this.db.orm.em.fork());
    } catch (error) {
      throw translateOutage(error);
    }
  }
}

/** Timestamps go to the database as ISO-8601 text, read the same way by both drivers. */
export const iso = (date: Date): string => date.toISOString();
