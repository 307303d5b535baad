import pg from 'pg';
import type { OutboxSignals } from '../../../application/read-side/event-outbox.js';
import { OutboxWaiters } from '../../../application/read-side/outbox-waiters.js';
import { PROJECTED_CHANNEL } from './sql-event-outbox.js';

/** The channel the queue's trigger announces new work on (migration 0002). */
const WORK_CHANNEL = 'conduit_outbox';
const RECONNECT_MS = { first: 200, max: 5_000 };

/**
 * The outbox's signals over PostgreSQL LISTEN/NOTIFY, on one connection of its own per
 * process (a pooled connection cannot hold a LISTEN): the queue's trigger announces new
 * work, the projector's acknowledgements announce the positions they did. Nothing polls.
 *
 * A lost connection is re-established with backoff. While it is down, `nextWork` waits its
 * full `maxMs` (workers then look anyway) and `projected` waits until its timeout: both
 * bounded, neither fails.
 */
export class PostgresOutboxSignals implements OutboxSignals {
  private client: pg.Client | null = null;
  private closed = false;
  private readonly waiters = new OutboxWaiters();

  constructor(
    private readonly databaseUrl: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Connects and listens; resolves once listening (so a test can rely on it), rejects if the first attempt fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  nextWork(maxMs: number, signal: AbortSignal): Promise<void> {
    return this.waiters.nextWork(maxMs, signal);
  }

  projected(positions: readonly number[], timeoutMs: number): Promise<boolean> {
    return this.waiters.projected(positions, timeoutMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.wakeWorkers();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => this.heard(message.channel, message.payload ?? ''));
    client.on('error', (error) => {
      this.onError(error);
      if (this.client === client) this.reconnectLater(RECONNECT_MS.first);
    });
    try {
      await client.connect();
      await client.query(`listen ${WORK_CHANNEL}`);
      await client.query(`listen ${PROJECTED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private reconnectLater(delayMs: number): void {
    const broken = this.client;
    this.client = null;
    broken?.end().catch(() => undefined);
    // Whatever was announced meanwhile is lost: wake the workers so they look for themselves.
    this.waiters.wakeWorkers();
    if (this.closed) return;
    setTimeout(() => {
      if (this.closed) return;
      this.connect().catch((error: unknown) => {
        this.onError(error);
        this.reconnectLater(Math.min(RECONNECT_MS.max, delayMs * 2));
      });
    }, delayMs).unref();
  }

  private heard(channel: string, payload: string): void {
    if (channel === WORK_CHANNEL) this.waiters.wakeWorkers();
    else if (channel === PROJECTED_CHANNEL)
      this.waiters.heardProjected(payload.split(',').map(Number).filter((position) => Number.isSafeInteger(position)));
  }
}
