import type { ReadModelChange } from './read-model-changes.js';

/**
 * Stores read-model changes into one generation of one read store. Used only by the
 * projector, replays and rebuilds; queries go through the read-store ports.
 *
 * Every change is idempotent and version-guarded: applying one twice, or an older one after
 * a newer one for the same aggregate, leaves the read model as the newest made it. The
 * count deltas a change implies (read-model-rules.ts) are applied in the same atomic step as
 * the state they describe. A change whose dependency is missing throws NotProjectedYet.
 */
export interface ReadModelWriter {
  /**
   * Applies the changes in order. Where the store has transactions the batch is one: all
   * or nothing. Where it has not (MongoDB), changes before a failing one stay applied. Either
   * way a caller may apply the same changes again, one by one, to find the failing one.
   */
  apply(changes: readonly ReadModelChange[]): Promise<void>;
}
export const ReadModelWriter = Symbol.for('ReadModelWriter');
