import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { CredentialChanges } from '../../../application/users/credential-changes.js';
import { ListeningConnection } from '../listening-connection.js';

/** The channel the `users` triggers announce credential changes on (migration 0007). */
export const CREDENTIALS_CHANNEL = 'conduit_credentials';
/** Every listening connection is named so, followed by its process's id (`pg_stat_activity`). */
const LISTENER_NAME = 'conduit-credentials:';
/** A fence's payload on the credentials channel: `fence:<asker's id>:<number>`. */
const FENCE = 'fence:';
/** The channel a process hears the confirmations of its fences on. */
const confirmationsOf = (id: string) => `conduit_credentials_heard_${id}`;

export interface CredentialFeedEvents {
  /** The feed stopped (the error that stopped it); told once per loss. */
  lost(error: unknown): void;
  /** The feed is live again after a loss. */
  regained(): void;
  /** `heardEverywhere` gave up: these listeners' ids had not confirmed within the bound. */
  unconfirmed(missing: readonly string[], waitedMs: number): void;
}

interface Fence {
  /** The listeners that must confirm; null until the fence's statement answered. */
  waitingFor: Set<string> | null;
  readonly confirmed: Set<string>;
  readonly done: (heard: boolean) => void;
}

/**
 * Credential changes heard over PostgreSQL LISTEN, on a connection of its own
 * (`ListeningConnection`). The triggers on `users` announce, at commit, the id
 * of every user whose role or revocation instant changed or who was deleted, and an empty
 * payload when the table is truncated.
 *
 * Live only between a successful LISTEN and the connection's first error or end; then
 * every listener hears `null` (anything may change unheard), and the connection is
 * opened again with backoff, `null` once more when it is back.
 *
 * `heardEverywhere` is a fence: one statement sends `fence:<id>:<n>` on the same channel
 * (so every listener hears it after every change committed before it) and reads which
 * listeners of this database are connected, by their connections' names. Each of them,
 * having told its listeners of every earlier change, confirms on this process's channel
 * of confirmations. A listener that connects later forgot everything when it did.
 */
export class PostgresCredentialChanges implements CredentialChanges {
  /** This process's listener id: its connection's name and its channel of confirmations. */
  readonly id = randomBytes(6).toString('hex');
  private readonly connection: ListeningConnection;
  private readonly listeners: ((userId: string | null) => void)[] = [];
  private readonly fences = new Map<string, Fence>();
  private fenceCount = 0;

  /** `confirmWithinMs` bounds `heardEverywhere`: a listener that is stuck does not hold a command longer. */
  constructor(
    databaseUrl: string,
    private readonly events: CredentialFeedEvents,
    private readonly confirmWithinMs = 2_000,
  ) {
    this.connection = new ListeningConnection(
      databaseUrl,
      [CREDENTIALS_CHANNEL, confirmationsOf(this.id)],
      {
        heard: (channel, payload, client) => this.heard(channel, payload, client),
        listening: (again) => {
          // Whatever changed before this LISTEN was not heard.
          this.tell(null);
          if (again) this.events.regained();
        },
        lost: (error, retrying) => {
          this.tell(null);
          // Confirmations sent while the connection is down are never heard.
          for (const number of [...this.fences.keys()]) this.settle(number, false);
          if (!retrying) this.events.lost(error);
        },
      },
      LISTENER_NAME + this.id,
    );
  }

  /** Starts listening; resolves once live or once the first attempt failed (then it keeps trying). */
  async start(): Promise<void> {
    await this.connection.start().catch(() => undefined);
  }

  live(): boolean {
    return this.connection.live();
  }

  onChange(listener: (userId: string | null) => void): void {
    this.listeners.push(listener);
  }

  async heardEverywhere(): Promise<boolean> {
    if (!this.connection.live()) return false;
    const number = String(++this.fenceCount);
    const started = performance.now();
    const heard = new Promise<boolean>((resolve) => {
      this.fences.set(number, { waitingFor: null, confirmed: new Set(), done: resolve });
    });
    const timer = setTimeout(() => {
      const fence = this.fences.get(number);
      if (fence === undefined) return;
      const missing = [...(fence.waitingFor ?? [])].filter((id) => !fence.confirmed.has(id));
      this.events.unconfirmed(missing, performance.now() - started);
      this.settle(number, false);
    }, this.confirmWithinMs);
    timer.unref();
    try {
      const { rows } = await this.connection.query<{ listeners: string[] }>(
        `select array(select substr(application_name, $1) from pg_stat_activity
                       where datname = current_database() and application_name like $2 and application_name <> $3) as listeners,
                pg_notify($4, $5)`,
        [LISTENER_NAME.length + 1, `${LISTENER_NAME}%`, LISTENER_NAME + this.id, CREDENTIALS_CHANNEL, `${FENCE}${this.id}:${number}`],
      );
      const fence = this.fences.get(number);
      if (fence !== undefined) {
        fence.waitingFor = new Set(rows[0]?.listeners ?? []);
        this.settleIfConfirmed(number);
      }
    } catch {
      // The feed's connection broke: the loss forgets everything here; others cannot be confirmed.
      this.settle(number, false);
    }
    const result = await heard;
    clearTimeout(timer);
    return result;
  }

  async close(): Promise<void> {
    for (const number of [...this.fences.keys()]) this.settle(number, false);
    await this.connection.close();
  }

  private heard(channel: string, payload: string, client: pg.Client): void {
    if (channel === CREDENTIALS_CHANNEL) {
      if (payload.startsWith(FENCE)) this.confirm(client, payload.slice(FENCE.length));
      else this.tell(payload === '' ? null : payload);
    } else if (channel === confirmationsOf(this.id)) this.confirmed(payload);
  }

  private tell(userId: string | null): void {
    for (const listener of this.listeners) listener(userId);
  }

  /** Another process's fence (`<its id>:<number>`): every change before it was told, so confirm. */
  private confirm(client: pg.Client, fence: string): void {
    const [asker, number] = fence.split(':');
    if (asker === undefined || number === undefined || asker === this.id || !/^[0-9a-f]{12}$/.test(asker)) return;
    client.query('select pg_notify($1, $2)', [confirmationsOf(asker), `${number}:${this.id}`]).catch(() => undefined);
  }

  /** A confirmation of one of this process's fences: `<number>:<listener's id>`. */
  private confirmed(payload: string): void {
    const [number, listener] = payload.split(':');
    const fence = number === undefined ? undefined : this.fences.get(number);
    if (fence === undefined || listener === undefined || number === undefined) return;
    fence.confirmed.add(listener);
    this.settleIfConfirmed(number);
  }

  private settleIfConfirmed(number: string): void {
    const fence = this.fences.get(number);
    if (fence?.waitingFor == null) return;
    for (const id of fence.waitingFor) if (!fence.confirmed.has(id)) return;
    this.settle(number, true);
  }

  private settle(number: string, heard: boolean): void {
    const fence = this.fences.get(number);
    if (fence === undefined) return;
    this.fences.delete(number);
    fence.done(heard);
  }
}
