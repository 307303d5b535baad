import type { AggregateRoot, DomainEvent } from '../../domain/index.js';

/**
 * The first step of every repository's save, written once for every adapter: the events
 * the aggregate recorded since it was loaded, which the save must write in the same
 * transaction as the aggregate's rows. Empty when nothing changed (the save then costs
 * nothing). After its commit the repository calls `aggregate.markPersisted()`.
 *
 * Each accepted change records exactly one event. Fewer events than versions means the
 * instance was saved before, failed, and lost them: writing its rows now would commit a
 * change the read models never hear of. Such an instance must be reloaded instead.
 */
export function unsavedEvents<E extends DomainEvent>(aggregate: AggregateRoot<E>, field: string): E[] {
  if (aggregate.version === aggregate.persistedVersion) return [];
  const events = aggregate.pullEvents();
  const unsaved = aggregate.version - aggregate.persistedVersion;
  if (events.length !== unsaved)
    throw new Error(
      `${field}: ${unsaved} unsaved version(s) but ${events.length} event(s); reload the aggregate after a failed save`,
    );
  return events;
}
