import pg from 'pg';

const RECONNECT_MS = { first: 200, max: 5_000 };

/** What a listening connection tells its owner. */
export interface ListeningEvents {
  /** A notification on one of its channels, with the connection it came on (to answer on it). */
  heard(channel: string, payload: string, connection: pg.Client): void;
  /**
   * Listening holds now, on every channel: at start (`again` false) or after a loss. Nothing
   * announced while it did not hold was heard.
   */
  listening(again: boolean): void;
  /**
   * Not listening: the connection broke or ended, or an attempt to open it failed
   * (`retrying` true when it was a reconnection that failed). It is opened again with backoff.
   */
  lost(error: unknown, retrying: boolean): void;
}

/**
 * One PostgreSQL connection of its own that holds LISTEN on some channels (a pooled
 * connection cannot hold one), re-opened with backoff (200 ms doubling to 5 s) whenever it
 * breaks, ends, or cannot be opened, until it is closed. `applicationName`, when given, is
 * set in the same round trip as the LISTENs, after them: whoever sees the name in
 * `pg_stat_activity` may count on the connection hearing the channels.
 */
export class ListeningConnection {
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channels: readonly string[],
    private readonly events: ListeningEvents,
    private readonly applicationName?: string,
  ) {
    for (const name of [...channels, applicationName ?? '']) {
      if (!/^[a-z0-9_:-]*$/.test(name)) throw new Error(`not a plain channel or connection name: ${name}`);
    }
  }

  /** The first attempt: resolves once listening; rejects when it failed, and keeps trying meanwhile (until closed). */
  async start(): Promise<void> {
    try {
      await this.connect(false);
    } catch (error) {
      this.lose(error, RECONNECT_MS.first, false);
      throw error;
    }
  }

  /** True while LISTEN holds. */
  live(): boolean {
    return this.listening;
  }

  /** A statement on the listening connection itself (its notifications are delivered in order with its answers). */
  query<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[]): Promise<pg.QueryResult<R>> {
    const client = this.client;
    if (client === null || !this.listening) return Promise.reject(new Error('not listening'));
    return client.query<R>(sql, [...params]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    const client = this.client;
    this.client = null;
    client?.removeAllListeners('end');
    await client?.end().catch(() => undefined);
  }

  private async connect(again: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (!this.closed) this.events.heard(message.channel, message.payload ?? '', client);
    });
    const broken = (error: unknown) => {
      if (this.client === client) this.lose(error, RECONNECT_MS.first, false);
    };
    client.on('error', broken);
    client.on('end', () => broken(new Error('the listening connection ended')));
    try {
      await client.connect();
      const statements = this.channels.map((channel) => `listen ${channel}`);
      if (this.applicationName) statements.push(`set application_name = '${this.applicationName}'`);
      await client.query(statements.join('; '));
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.listening = true;
    this.events.listening(again);
  }

  private lose(error: unknown, delayMs: number, retrying: boolean): void {
    this.listening = false;
    const broken = this.client;
    this.client = null;
    broken?.removeAllListeners('end');
    broken?.end().catch(() => undefined);
    if (this.closed) return;
    this.events.lost(error, retrying);
    setTimeout(() => {
      if (this.closed) return;
      this.connect(true).catch((failure: unknown) => this.lose(failure, Math.min(RECONNECT_MS.max, delayMs * 2), true));
    }, delayMs).unref();
  }
}
