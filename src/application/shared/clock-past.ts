import type { Clock } from './ports.js';

/**
 * Resolves once `clock` reads later than `instant` (at most a millisecond or two after a
 * revocation made "now"). A command that revokes tokens answers only then, so every token
 * issued after its answer — the fresh one handed back, a login right after — is newer
 * than the revocation and stands.
 */
export async function clockPast(clock: Clock, instant: Date): Promise<void> {
  while (clock.now().getTime() <= instant.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
}
