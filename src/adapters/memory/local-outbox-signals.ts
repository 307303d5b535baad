import { injectable } from 'inversify';
import type { OutboxSignals } from '../../application/read-side/event-outbox.js';

/**
 * The outbox's signals inside one process: for the in-memory outbox, and for the embedded
 * database, which only ever has one process. Whoever writes or acknowledges in this
 * process announces it here.
 */
@injectable()
export class LocalOutboxSignals implements OutboxSignals {
  private readonly workWaiters = new Set<() => void>();
  private readonly projectedPositions = new Set<number>();
  private readonly positionWaiters = new Set<() => void>();

  announceWork(): void {
    for (const wake of [...this.workWaiters]) wake();
  }

  announceProjected(positions: readonly number[]): void {
    for (const position of positions) this.projectedPositions.add(position);
    // Bounded: only positions someone may still wait for matter.
    while (this.projectedPositions.size > 20_000) {
      const oldest = this.projectedPositions.values().next().value;
      if (oldest === undefined) break;
      this.projectedPositions.delete(oldest);
    }
    for (const check of [...this.positionWaiters]) check();
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
    const all = () => positions.every((position) => this.projectedPositions.has(position));
    if (all()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (outcome: boolean) => {
        clearTimeout(timer);
        this.positionWaiters.delete(check);
        resolve(outcome);
      };
      const check = () => {
        if (all()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.positionWaiters.add(check);
    });
  }
}
