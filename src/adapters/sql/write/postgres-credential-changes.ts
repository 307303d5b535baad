import pg from 'pg';
import type { CredentialChanges } from '../../../application/users/credential-changes.js';

/** The channel the `users` triggers announce credential changes on (migration 0007). */
export const CREDENTIALS_CHANNEL = 'conduit_credentials';
const RECONNECT_MS = { first: 200, max: 5_000 };

export interface CredentialFeedEvents {
  /** The feed stopped (the error that stopped it); told once per loss. */
  lost(error: unknown): void;
  /** The feed is live again after a loss. */
  regained(): void;
}

/**
 * Credential changes heard over PostgreSQL LISTEN, on a connection of its own (a pooled
 * connection cannot hold a LISTEN). The triggers on `users` announce, at commit, the id
 * of every user whose role or revocation instant changed or who was deleted, and an empty
 * payload when the table is truncated.
 *
 * Live only between a successful LISTEN and the connection's first error or end; then
 * every listener hears `null` (anything may change unheard), and the connection is
 * opened again with backoff, `null` once more when it is back.
 */
export class PostgresCredentialChanges implements CredentialChanges {
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private readonly listeners: ((userId: string | null) => void)[] = [];

  constructor(
    private readonly databaseUrl: string,
    private readonly events: CredentialFeedEvents,
  ) {}

  /** Starts listening; resolves once live or once the first attempt failed (then it keeps trying). */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.events.lost(error);
      this.reconnectLater(RECONNECT_MS.first, error);
    }
  }

  live(): boolean {
    return this.listening;
  }

  onChange(listener: (userId: string | null) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (message.channel === CREDENTIALS_CHANNEL) this.tell(message.payload ? message.payload : null);
    });
    const broken = (error: unknown) => {
      if (this.client !== client) return;
      this.events.lost(error);
      this.reconnectLater(RECONNECT_MS.first, error);
    };
    client.on('error', broken);
    client.on('end', () => broken(new Error('the credential feed’s connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${CREDENTIALS_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Whatever changed before this LISTEN was not heard.
    this.tell(null);
    this.listening = true;
  }

  private reconnectLater(delayMs: number, cause: unknown): void {
    this.listening = false;
    this.tell(null);
    const broken = this.client;
    this.client = null;
    broken?.removeAllListeners('end');
    broken?.end().catch(() => undefined);
    if (this.closed) return;
    setTimeout(() => {
      if (this.closed) return;
      this.connect().then(
        () => this.events.regained(),
        () => this.reconnectLater(Math.min(RECONNECT_MS.max, delayMs * 2), cause),
      );
    }, delayMs).unref();
  }

  private tell(userId: string | null): void {
    for (const listener of this.listeners) listener(userId);
  }
}
