import { createClient } from '@redis/client';
import { watchCommands, type RedisCommandObserver } from './redis-commands.js';

/** The node-redis client every Redis adapter of a process shares. */
export type RedisClient = ReturnType<typeof createClient>;

export type RedisLinkState = 'ok' | 'degraded';

/** What the link logs through: a pino logger fits, and so does a test's recorder. */
export interface LinkLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface RedisLinkOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). */
  readonly url: string;
  readonly logger: LinkLogger;
  /** Longest wait for one call before it counts as an outage (default 50 ms). */
  readonly timeoutMs?: number;
  /** Longest wait for a TCP connection, and for the first one at start (default 1000 ms). */
  readonly connectTimeoutMs?: number;
  /** How often an unreachable Redis is asked whether it is back (default 1000 ms). */
  readonly probeIntervalMs?: number;
}

/** Work that must succeed before the link reports 'ok' after an outage; it throws when it could not finish. */
export type RecoveryTask = () => Promise<void>;

export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer from Redis within ${timeoutMs} ms`);
  }
}

const DEFAULT_TIMEOUT_MS = 50;
const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
const DEFAULT_PROBE_INTERVAL_MS = 1000;
/** Longest delay between two reconnection attempts: bounded, and never giving up, so Redis is used again without a restart. */
const MAX_RECONNECT_DELAY_MS = 2000;
/** Replies awaited at once; beyond it commands fail at once instead of piling up behind a stalled server. */
const MAX_QUEUED_COMMANDS = 10_000;
/**
 * Probes that time out (rather than failing at once) before the connection is replaced: a
 * half-open TCP connection (host gone, no RST) would otherwise only be noticed by TCP
 * keep-alive, minutes later.
 */
const TIMEOUTS_BEFORE_RECYCLE = 3;

/**
 * One Redis connection for a process (cache, rate limits, login attempts), failing fast:
 * every call has a bounded wait, commands are never queued while disconnected, and an
 * outage is a state, not a stream of errors. The first failure moves the link to
 * 'degraded' and logs once, at warn, with the reason; while degraded, calls return their
 * fallback at once, without touching Redis, and a probe asks every `probeIntervalMs`
 * whether Redis is back. When it is, the recovery tasks run (for example the cache's
 * invalidations made during the outage), and only when they succeed is the link 'ok'
 * again, logged once at info.
 */
export class RedisLink {
  readonly client: RedisClient;
  private current: RedisLinkState = 'ok';
  private downSince = 0;
  /** Counts failures, so that a probe overtaken by a new failure does not report recovery. */
  private failures = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private probeTimeouts = 0;
  private closed = false;
  private readonly tasks = new Set<RecoveryTask>();
  private unwatch: (() => void) | undefined;
  private readonly target: string;
  private readonly timeoutMs: number;
  private readonly probeIntervalMs: number;
  /** The wait for recovery work, which may move many keys at once: more generous than one call's. */
  readonly recoveryTimeoutMs: number;

  /** Connects (waiting at most connectTimeoutMs); a Redis that is down at start gives a 'degraded' link, not an error. */
  static async open(options: RedisLinkOptions): Promise<RedisLink> {
    const link = new RedisLink(options);
    const connecting = link.client.connect();
    // While Redis is down the connect promise only settles once it is up (or the client is
    // destroyed); the link's own probe takes over from here.
    connecting.catch(() => undefined);
    try {
      await bounded(connecting, positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS));
    } catch (error) {
      link.markDown(error);
    }
    return link;
  }

  private constructor(private readonly options: RedisLinkOptions) {
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.probeIntervalMs = positive(options.probeIntervalMs, DEFAULT_PROBE_INTERVAL_MS);
    this.recoveryTimeoutMs = Math.max(10 * this.timeoutMs, 1000);
    this.target = describeTarget(options.url);
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
      socket: {
        connectTimeout: positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
        reconnectStrategy: (retries: number) =>
          Math.min(50 * 2 ** Math.min(retries, 16), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 50),
      },
    });
    // node-redis emits an error for every failed reconnection: without a listener each one
    // would crash the process; with this one they are a single state change.
    this.client.on('error', (error: unknown) => this.markDown(error));
    this.client.on('ready', () => {
      if (this.current === 'degraded') void this.probe();
    });
  }

  state(): RedisLinkState {
    return this.current;
  }

  /**
   * Runs `op` within the bounded wait. On an error or a timeout the link becomes 'degraded'
   * and `fallback` is returned; while degraded, `fallback` is returned without calling `op`.
   * Never rejects.
   */
  async run<T, F>(op: (client: RedisClient) => Promise<T>, fallback: F): Promise<T | F> {
    if (this.current !== 'ok') return fallback;
    try {
      return await this.attempt(op);
    } catch (error) {
      this.markDown(error);
      return fallback;
    }
  }

  /** Runs `op` within the bounded wait whatever the state, and rejects on failure without changing the state (recovery work). */
  attempt<T>(op: (client: RedisClient) => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    return bounded((async () => op(this.client))(), timeoutMs);
  }

  /** Registers work to finish before 'ok' is reported again after an outage; returns its removal. */
  onRecovery(task: RecoveryTask): () => void {
    this.tasks.add(task);
    return () => this.tasks.delete(task);
  }

  /** Tells `observer` of every command this link's client sends from now on (tracing), until the link is closed. */
  observe(observer: RedisCommandObserver): void {
    this.unwatch?.();
    this.unwatch = watchCommands(() => this.client._clientId, observer);
  }

  /** Records a failure seen by a caller (or by the client): the first of an outage is logged. */
  markDown(reason: unknown): void {
    if (this.closed) return;
    this.failures += 1;
    if (this.current === 'degraded') return;
    this.current = 'degraded';
    this.downSince = Date.now();
    this.options.logger.warn(
      { redis: this.target, reason: reasonOf(reason) },
      'Redis unreachable: cache bypassed, rate limits and login attempts not counted until it answers again',
    );
    this.scheduleProbe();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    clearTimeout(this.probeTimer);
    this.tasks.clear();
    // destroy, not a graceful QUIT: a stalled server would make a QUIT wait for ever.
    if (this.client.isOpen) this.client.destroy();
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer !== undefined) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed || this.current === 'ok') return;
    this.probing = true;
    const failuresBefore = this.failures;
    try {
      await this.attempt((client) => client.ping());
      this.probeTimeouts = 0;
      for (const task of this.tasks) await task();
      if (this.failures !== failuresBefore || this.closed) throw new Error('failed again during recovery');
      this.current = 'ok';
      this.options.logger.info({ redis: this.target, downMs: Date.now() - this.downSince }, 'Redis reachable again');
    } catch (error) {
      if (error instanceof RedisTimeoutError && ++this.probeTimeouts >= TIMEOUTS_BEFORE_RECYCLE) this.recycle();
    } finally {
      this.probing = false;
      if (this.current === 'degraded') this.scheduleProbe();
    }
  }

  /** Replaces a connection that stopped answering; the probe uses the new one once it is ready. */
  private recycle(): void {
    this.probeTimeouts = 0;
    if (this.client.isOpen) this.client.destroy();
    this.client.connect().catch(() => undefined);
  }
}

/**
 * Settles with `work`, or rejects with RedisTimeoutError after `ms`, without blaming Redis
 * for the process's own lag (a long JSON.stringify, a GC pause):
 * - when the timer fires, the rejection waits for the next turn of the event loop, so a
 *   reply that arrived meanwhile is read first;
 * - when the timer fires more than `ms` late, the loop itself was blocked for longer than
 *   the whole bound, and the command may not even have been sent yet (node-redis writes on
 *   the next turn): the work gets one more window of `ms`.
 * The wait therefore stays bounded: at most twice `ms` beyond the time the loop was blocked.
 */
export function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let due = performance.now() + ms;
    let extended = false;
    const expire = () => {
      const now = performance.now();
      if (!extended && now - due > ms) {
        extended = true;
        due = now + ms;
        timer = setTimeout(expire, ms);
        return;
      }
      setImmediate(() => reject(new RedisTimeoutError(ms)));
    };
    let timer = setTimeout(expire, ms);
    work
      .finally(() => clearTimeout(timer))
      .then(resolve, (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
  });
}

/** host:port of the URL, never its credentials (it ends up in logs). */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}

/** A readable reason; a dual-stack connection failure is an AggregateError whose own message is empty. */
function reasonOf(reason: unknown): string {
  if (reason instanceof AggregateError && reason.errors.length > 0) return reason.errors.map(reasonOf).join('; ');
  if (reason instanceof Error) return reason.message === '' ? reason.name : `${reason.name}: ${reason.message}`;
  return String(reason);
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
