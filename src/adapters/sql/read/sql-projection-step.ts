import type { CounterDelta } from '../../../application/read-side/read-model-rules.js';
import type { SqlExecutor } from '../sql-database.js';
import type { ReadTables } from './read-tables.js';

/**
 * What one change's statements get inside the writer's transaction: the statements, the
 * generation's tables, and the batch's count deltas, which the change adds to (they are
 * applied once, together, at the end of the transaction).
 */
export interface ProjectionStep {
  readonly tx: SqlExecutor;
  readonly t: ReadTables;
  readonly deltas: CounterDelta[];
}
