import { LRUCache } from 'lru-cache';

/** Tags whose copies one process keeps at most; the least recently used go first (a dropped copy costs one read). */
const MAX_COPIES = 50_000;

/**
 * This process's copies of shared stamps, for readers who may lag (`Cache.recentStamps`):
 * each copy lives at most `windowMs` from the moment the read that fetched it was sent, so
 * a bump made by another process reaches those readers within the window. A bump made in
 * this process forgets its tags at once, before and after its write, and a read that was in
 * flight across a bump or a forgetting keeps nothing: this process's own bumps are never
 * hidden by a copy. A window of 0 keeps no copies (every read goes to the shared tier).
 */
export class RecentStamps {
  private readonly copies: LRUCache<string, string> | undefined;
  /** Counts forgettings, so that a read that overlapped one does not keep what it fetched. */
  private forgettings = 0;

  constructor(private readonly windowMs: number) {
    this.copies = windowMs >= 1 ? new LRUCache<string, string>({ max: MAX_COPIES, ttl: Math.floor(windowMs) }) : undefined;
  }

  /** The tags' stamps from the copies, fetching the missing or expired ones with `readShared`. */
  async read(
    tags: readonly string[],
    readShared: (tags: readonly string[]) => Promise<readonly string[] | null>,
  ): Promise<readonly string[] | null> {
    const copies = this.copies;
    if (copies === undefined) return readShared(tags);
    const found = tags.map((tag) => copies.get(tag));
    const absent = tags.filter((_, i) => found[i] === undefined);
    if (absent.length === 0) return found as string[];
    const sentAt = performance.now();
    const forgettingsBefore = this.forgettings;
    const fetched = await readShared(absent);
    if (fetched === null) return null;
    // What is left of the window, counted from the moment the read was sent.
    const ttl = Math.floor(this.windowMs - (performance.now() - sentAt));
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
