import type { OutboxSignals } from '../../../application/read-side/event-outbox.js';
import { OutboxWaiters } from '../../../application/read-side/outbox-waiters.js';
import { ListeningConnection } from '../listening-connection.js';
import { PROJECTED_CHANNEL } from './sql-event-outbox.js';

/** The channel the queue's trigger announces new work on (migration 0002). */
const WORK_CHANNEL = 'conduit_outbox';

/**
 * The outbox's signals over PostgreSQL LISTEN/NOTIFY, on one connection of its own per
 * process (`ListeningConnection`): the queue's trigger announces new work, the projector's
 * acknowledgements announce the positions they did. Nothing polls.
 *
 * A lost connection is re-established with backoff. While it is down, `nextWork` waits its
 * full `maxMs` (workers then look anyway) and `projected` waits until its timeout: both
 * bounded, neither fails. Whatever was announced meanwhile is lost, so the workers are woken
 * when the connection goes and when it comes back, to look for themselves.
 */
export class PostgresOutboxSignals implements OutboxSignals {
  private readonly waiters = new OutboxWaiters();
  private readonly connection: ListeningConnection;

  constructor(databaseUrl: string, onError: (error: unknown) => void) {
    this.connection = new ListeningConnection(databaseUrl, [WORK_CHANNEL, PROJECTED_CHANNEL], {
      heard: (channel, payload) => this.heard(channel, payload),
      listening: () => this.waiters.wakeWorkers(),
      lost: (error) => {
        onError(error);
        this.waiters.wakeWorkers();
      },
    });
  }

  /** Connects and listens; resolves once listening (so a test can rely on it), rejects if the first attempt fails. */
  start(): Promise<void> {
    return this.connection.start();
  }

  /** True while the connection listens. */
  live(): boolean {
    return this.connection.live();
  }

  nextWork(maxMs: number, signal: AbortSignal): Promise<void> {
    return this.waiters.nextWork(maxMs, signal);
  }

  projected(positions: readonly number[], timeoutMs: number): Promise<boolean> {
    return this.waiters.projected(positions, timeoutMs);
  }

  async close(): Promise<void> {
    await this.connection.close();
    this.waiters.wakeWorkers();
  }

  private heard(channel: string, payload: string): void {
    if (channel === WORK_CHANNEL) this.waiters.wakeWorkers();
    else if (channel === PROJECTED_CHANNEL)
      this.waiters.heardProjected(payload.split(',').map(Number).filter((position) => Number.isSafeInteger(position)));
  }
}
