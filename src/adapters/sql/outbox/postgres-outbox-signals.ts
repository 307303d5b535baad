import pg from 'pg';
import type { OutboxSignals } from '../../../application/read-side/event-outbox.js';
import { PROJECTED_CHANNEL } from './sql-event-outbox.js';

/** The channel the queue's trigger announces new work on (migration 0002). */
const WORK_CHANNEL = 'conduit_outbox';
/** Positions projected recently, so a writer that starts waiting just after its notification still hears it. */
const REMEMBERED = 20_000;
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
  private readonly workWaiters = new Set<() => void>();
  private readonly positionWaiters = new Map<number, Set<() => void>>();
  private readonly recent = new Set<number>();

  constructor(
    private readonly databaseUrl: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Connects and listens; resolves once listening (so a test can rely on it), rejects if the first attempt fails. */
  async start(): Promise<void> {
    await this.connect();
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

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.workWaiters]) wake();
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
    for (const wake of [...this.workWaiters]) wake();
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
    if (channel === WORK_CHANNEL) {
      for (const wake of [...this.workWaiters]) wake();
      return;
    }
    if (channel !== PROJECTED_CHANNEL) return;
    const callbacks = new Set<() => void>();
    for (const text of payload.split(',')) {
      const position = Number(text);
      if (!Number.isSafeInteger(position)) continue;
      this.remember(position);
      for (const callback of this.positionWaiters.get(position) ?? []) callbacks.add(callback);
    }
    for (const callback of callbacks) callback();
  }

  private remember(position: number): void {
    this.recent.add(position);
    if (this.recent.size > REMEMBERED) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}
