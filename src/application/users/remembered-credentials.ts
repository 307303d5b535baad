import { changeOf } from '../read-side/read-model-changes.js';
import type { OutboxEntry } from '../read-side/event-outbox.js';
import type { ProjectionSync } from '../shared/read-your-writes.js';
import type { CredentialChanges } from './credential-changes.js';
import type { CredentialState, CredentialStore } from './credential-store.js';

export interface RememberedCredentialsOptions {
  /** At most this many users' states are remembered (least recently used go first). */
  readonly maxEntries: number;
  /** A remembered state is asked again after this long even if no change was heard. */
  readonly ttlMs: number;
  /** Milliseconds of a monotonic clock. */
  readonly now?: () => number;
}

interface Remembered {
  readonly state: CredentialState;
  readonly until: number;
}

/**
 * The write model's credential states, remembered by this process while the write model's
 * change feed is live (ADR 014, amended): an authenticated request then costs no database
 * round trip unless the user's state changed.
 *
 * - A change heard forgets that user; a lost or regained feed forgets everyone, and while
 *   the feed is down every check asks the write model.
 * - A state read while any change was heard is not remembered (it may predate the change).
 * - This process's own commits forget their users before the command answers
 *   (`forgettingOwnCommits`), so its own next request never depends on the feed's timing;
 *   a commit that may have changed a credential state also waits until the other
 *   listening processes confirmed they heard it, so none of them still trusts the old one.
 * - Concurrent checks of one user share one read. Users who do not exist are not
 *   remembered (nothing would announce their registration).
 */
export class RememberedCredentials implements CredentialStore {
  private readonly remembered = new Map<string, Remembered>();
  private readonly reading = new Map<string, Promise<CredentialState | null>>();
  /** Moves on with every change heard: a read that saw it move keeps its answer to itself. */
  private epoch = 0;
  private readonly now: () => number;

  constructor(
    private readonly inner: CredentialStore,
    private readonly changes: CredentialChanges,
    private readonly options: RememberedCredentialsOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    changes.onChange((userId) => this.forget(userId));
  }

  /** How many states are remembered now (tests, metrics). */
  get size(): number {
    return this.remembered.size;
  }

  stateOf(userId: string): Promise<CredentialState | null> {
    if (!this.changes.live()) return this.inner.stateOf(userId);
    const hit = this.remembered.get(userId);
    if (hit !== undefined) {
      this.remembered.delete(userId);
      if (hit.until > this.now()) {
        this.remembered.set(userId, hit);
        return Promise.resolve(hit.state);
      }
    }
    const inFlight = this.reading.get(userId);
    if (inFlight !== undefined) return inFlight;
    const read = this.read(userId).finally(() => {
      if (this.reading.get(userId) === read) this.reading.delete(userId);
    });
    this.reading.set(userId, read);
    return read;
  }

  /** Forgets one user's state, or everyone's (null). */
  forget(userId: string | null): void {
    this.epoch++;
    if (userId === null) {
      this.remembered.clear();
      this.reading.clear();
    } else {
      this.remembered.delete(userId);
      this.reading.delete(userId);
    }
  }

  /**
   * Forgets the users whose events `entries` are (a command's own commit). True when one
   * of them may have changed a credential state (anything but a registration: an update
   * may carry a new password or e-mail address, which moves the revocation instant).
   */
  forgetUsersOf(entries: readonly OutboxEntry[]): boolean {
    let credentialChange = false;
    for (const { event } of entries) {
      const change = changeOf(event);
      if (change.kind !== 'user') continue;
      this.forget(change.user.userId);
      if (event.type !== 'UserRegistered') credentialChange = true;
    }
    return credentialChange;
  }

  /**
   * The command's projection sync, preceded by forgetting the users its commit changed;
   * a commit that may have changed a credential state also waits, beside the projection,
   * until every other listening process has heard it (or the feed's bound ran out), so a
   * revoked token is refused everywhere once the revoking command has answered.
   */
  forgettingOwnCommits(sync: ProjectionSync): ProjectionSync {
    return {
      afterCommit: async (entries) => {
        if (!this.forgetUsersOf(entries)) return sync.afterCommit(entries);
        await Promise.all([sync.afterCommit(entries), this.changes.heardEverywhere()]);
      },
    };
  }

  private async read(userId: string): Promise<CredentialState | null> {
    const epoch = this.epoch;
    const state = await this.inner.stateOf(userId);
    if (state !== null && epoch === this.epoch && this.changes.live()) this.remember(userId, state);
    return state;
  }

  private remember(userId: string, state: CredentialState): void {
    this.remembered.set(userId, { state, until: this.now() + this.options.ttlMs });
    while (this.remembered.size > this.options.maxEntries) {
      const oldest = this.remembered.keys().next();
      if (oldest.done === true) break;
      this.remembered.delete(oldest.value);
    }
  }
}
