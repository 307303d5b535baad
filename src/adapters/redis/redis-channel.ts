import type { RedisClient, RedisLink } from './redis-link.js';

/** What a channel's listener is told: each message, and whether every message published is reaching it. */
export interface ChannelListener {
  message(text: string): void;
  /**
   * `true` once the subscription stands (again): from then on every message published on
   * the channel reaches `message`. `false` as soon as that may no longer hold (the
   * connection failed, closed or is reconnecting): messages published meanwhile are lost.
   */
  live(live: boolean): void;
}

/** Wait between two attempts at the first subscription when it fails. */
const RETRY_MS = 1000;

/**
 * A process's subscription to one Redis pub/sub channel, on a connection of its own (a
 * subscribed connection can do nothing else): a duplicate of the link's, with the same
 * reconnection policy, named `<channel>:subscriber` (`CLIENT LIST` shows it). Publishing
 * needs no subscription: any client's `PUBLISH`.
 *
 * Liveness is what a listener builds on, so it is reported conservatively: live only after
 * the subscription was confirmed, and again after a reconnection only once node-redis has
 * subscribed again (it does so before it reports the connection ready); not live from the
 * first sign of trouble on.
 */
export class RedisChannel {
  private readonly subscriber: RedisClient;
  private subscribed = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    link: RedisLink,
    readonly name: string,
    private readonly listener: ChannelListener,
  ) {
    this.subscriber = link.client.duplicate({ name: `${name}:subscriber` });
    const down = () => this.listener.live(false);
    this.subscriber.on('error', down);
    this.subscriber.on('end', down);
    this.subscriber.on('reconnecting', down);
    this.subscriber.on('ready', () => {
      // The first 'ready' comes before the subscription below; later ones follow a resubscription.
      if (this.subscribed && !this.closed) this.listener.live(true);
    });
    void this.subscribe();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.listener.live(false);
    if (this.subscriber.isOpen) this.subscriber.destroy();
  }

  private async subscribe(): Promise<void> {
    try {
      // While Redis is down this waits until it is up: node-redis keeps reconnecting.
      if (!this.subscriber.isOpen) await this.subscriber.connect();
      await this.subscriber.subscribe(this.name, (text: string) => this.listener.message(text));
      if (this.closed) return;
      this.subscribed = true;
      if (this.subscriber.isReady) this.listener.live(true);
    } catch {
      if (this.closed) return;
      // node-redis may have kept the listener of the failed attempt (it resubscribes those on
      // reconnection): dropped, so the retry leaves exactly one.
      await this.subscriber.unsubscribe(this.name).catch(() => undefined);
      this.retry = setTimeout(() => void this.subscribe(), RETRY_MS);
      this.retry.unref();
    }
  }
}

