/** Positions projected recently, so a writer that starts waiting just after its announcement still hears it. */
const REMEMBERED = 20_000;

/**
 * The waiting half of OutboxSignals, for the adapters that hear the announcements in this
 * process (made here, or relayed from another process): it wakes the workers waiting for
 * work, remembers the recently projected positions and resolves the waits they complete.
 */
export class OutboxWaiters {
  private readonly workWaiters = new Set<() => void>();
  private readonly positionWaiters = new Map<number, Set<() => void>>();
  private readonly recent = new Set<number>();

  wakeWorkers(): void {
    for (const wake of [...this.workWaiters]) wake();
  }

  /** Remembers `positions` as projected and resolves the waits they complete. */
  heardProjected(positions: Iterable<number>): void {
    const callbacks = new Set<() => void>();
    for (const position of positions) {
      this.remember(position);
      for (const callback of this.positionWaiters.get(position) ?? []) callbacks.add(callback);
    }
    for (const callback of callbacks) callback();
  }

  nextWork(maxMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.workWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.workWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  projected(positions: readonly number[], timeoutMs: number): Promise<boolean> {
    const waiting = new Set(positions.filter((position) => !this.recent.has(position)));
    if (waiting.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (outcome: boolean) => {
        clearTimeout(timer);
        for (const position of positions) {
          const set = this.positionWaiters.get(position);
          set?.delete(onePosition);
          if (set?.size === 0) this.positionWaiters.delete(position);
        }
        resolve(outcome);
      };
      const onePosition = () => {
        for (const position of [...waiting]) if (this.recent.has(position)) waiting.delete(position);
        if (waiting.size === 0) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      for (const position of waiting) {
        let set = this.positionWaiters.get(position);
        if (!set) this.positionWaiters.set(position, (set = new Set()));
        set.add(onePosition);
      }
    });
  }

  private remember(position: number): void {
    this.recent.add(position);
    if (this.recent.size > REMEMBERED) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}
