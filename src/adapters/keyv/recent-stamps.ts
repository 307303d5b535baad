import { LRUCache } from 'lru-cache';

/** Tags whose copies one process keeps at most; the least recently used go first (a dropped copy costs one read). */
const MAX_COPIES = 50_000;

export interface RecentStampsWindows {
  /** How long a copy lives while bumps are not pushed to this process (0: no copies then). */
  readonly windowMs: number;
  /** How long a copy lives while every bump is pushed to this process (`pushed(true)`); 0: no copies then either. */
  readonly pushedWindowMs?: number;
}

/**
 * This process's copies of shared stamps, for readers who may lag (`Cache.recentStamps`).
 *
 * - A copy lives at most its window from the moment the read that fetched it was sent:
 *   `pushedWindowMs` while every bump of every process is pushed here (a channel, told
 *   through `pushed`), `windowMs` otherwise. A change of mode forgets every copy.
 * - A pushed bump forgets its tags when it arrives (`forget`), so with pushes a bump made by
 *   another process reaches these readers as soon as its message does, and the window
 *   only bounds what a lost message could hide.
 * - A bump made in this process forgets its tags at once, before and after its write.
 * - A read that was in flight across any forgetting keeps nothing: no copy can hide a bump
 *   made (or pushed) while it was being fetched.
 */
export class RecentStamps {
  private readonly copies: LRUCache<string, string> | undefined;
  private readonly windowMs: number;
  private readonly pushedWindowMs: number;
  private pushes = false;
  /** Counts forgettings, so that a read that overlapped one does not keep what it fetched. */
  private forgettings = 0;

  constructor(windows: RecentStampsWindows) {
    this.windowMs = Math.floor(windows.windowMs);
    this.pushedWindowMs = Math.floor(windows.pushedWindowMs ?? 0);
    this.copies = Math.max(this.windowMs, this.pushedWindowMs) >= 1 ? new LRUCache<string, string>({ max: MAX_COPIES }) : undefined;
  }

  /** Whether every bump is being pushed to this process from now on; forgets every copy either way. */
  pushed(live: boolean): void {
    this.forgetAll();
    this.pushes = live;
  }

  /** The tags' stamps from the copies, fetching the missing or expired ones with `readShared`. */
  async read(
    tags: readonly string[],
    readShared: (tags: readonly string[]) => Promise<readonly string[] | null>,
  ): Promise<readonly string[] | null> {
    const copies = this.copies;
    const window = this.pushes ? this.pushedWindowMs : this.windowMs;
    if (copies === undefined || window < 1) return readShared(tags);
    const found = tags.map((tag) => copies.get(tag));
    const absent = tags.filter((_, i) => found[i] === undefined);
    if (absent.length === 0) return found as string[];
    const sentAt = performance.now();
    const forgettingsBefore = this.forgettings;
    const fetched = await readShared(absent);
    if (fetched === null) return null;
    // What is left of the window, counted from the moment the read was sent.
    const ttl = Math.floor(window - (performance.now() - sentAt));
    const keep = ttl >= 1 && this.forgettings === forgettingsBefore;
    let next = 0;
    return found.map((copy) => {
      if (copy !== undefined) return copy;
      const tag = absent[next]!;
      const stamp = fetched[next++]!;
      if (keep) copies.set(tag, stamp, { ttl });
      return stamp;
    });
  }

  forget(tags: readonly string[]): void {
    this.forgettings++;
    if (this.copies !== undefined) for (const tag of tags) this.copies.delete(tag);
  }

  forgetAll(): void {
    this.forgettings++;
    this.copies?.clear();
  }
}
