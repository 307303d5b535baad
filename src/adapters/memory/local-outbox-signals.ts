import { injectable } from 'inversify';
import type { OutboxSignals } from '../../application/read-side/event-outbox.js';
import { OutboxWaiters } from '../../application/read-side/outbox-waiters.js';

/**
 * The outbox's signals inside one process: for the in-memory outbox, and for the embedded
 * database, which only ever has one process. Whoever writes or acknowledges in this
 * process announces it here.
 */
@injectable()
export class LocalOutboxSignals implements OutboxSignals {
  private readonly waiters = new OutboxWaiters();

  announceWork(): void {
    this.waiters.wakeWorkers();
  }

  announceProjected(positions: readonly number[]): void {
    this.waiters.heardProjected(positions);
  }

  nextWork(maxMs: number, signal: AbortSignal): Promise<void> {
    return this.waiters.nextWork(maxMs, signal);
  }

  projected(positions: readonly number[], timeoutMs: number): Promise<boolean> {
    return this.waiters.projected(positions, timeoutMs);
  }
}
