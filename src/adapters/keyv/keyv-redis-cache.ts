import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Cache, CacheEntry, CacheState } from '../../application/caching/cache.js';
import type { ChannelListener } from '../redis/redis-channel.js';
import type { RedisLink } from '../redis/redis-link.js';
import { boundedMemoryStore, type MemoryBounds } from './bounded-memory-store.js';
import { DEFAULT_STAMP_TTL_MS, freshStamp, JSON_SERIALIZATION, missing, storable } from './cache-values.js';
import { RecentStamps } from './recent-stamps.js';

export interface RedisCacheOptions {
  /** The process's Redis connection; its owner opens and closes it. */
  readonly link: RedisLink;
  /** Deployment namespace: keys are `<prefix>:cache:…`, so deployments can share a Redis. */
  readonly prefix: string;
  /** An in-process first tier for entries (never for stamps), bounded; absent → Redis only. */
  readonly l1?: MemoryBounds;
  /** Lifetime of a stamp that is not bumped (default 24 h). */
  readonly stampTtlMs?: number;
  /** Tags remembered during an outage before the cache gives up on them one by one and invalidates everything instead (default 10 000). */
  readonly maxPendingBumps?: number;
  /** How long recentStamps() may answer from stamps this process read while bumps are not pushed (at most 1000 ms; default 0: never). */
  readonly recentStampsMs?: number;
  /**
   * Every process publishes its bumps on a Redis channel; with this set (and `subscribe`),
   * this one subscribes: while its subscription stands, recentStamps() answers from copies
   * forgotten as each bump's message arrives, each kept at most this long (at most 1000 ms;
   * default 0: no subscription).
   */
  readonly pushedStampsMs?: number;
  /** Subscribes to a channel on a connection of its own (the composition root passes `RedisChannel`'s). */
  readonly subscribe?: (channel: string, listener: ChannelListener) => { close(): Promise<void> };
}

/** What a pushed bump says: its tags as JSON, or this for a bump of the epoch (everything). */
const BUMP_ALL = '*';

const EPOCH_KEY = 'epoch';
const entryKey = (key: string): string => `entry:${key}`;
const stampKey = (tag: string): string => `stamp:${tag}`;
/** Stamps replayed per Redis transaction after an outage. */
const REPLAY_CHUNK = 500;

/**
 * The cache shared by every process, in Redis, optionally behind a bounded in-process tier
 * for entries ('memory+redis'). stamps() always reads Redis: an entry served from the
 * first tier is still validated against the stamps every process sees. recentStamps(), for
 * readers who may lag, answers from this process's copies of stamps (recent-stamps.ts):
 * while it subscribes to the bumps every process publishes, copies are forgotten as each
 * bump's message arrives and live at most `pushedStampsMs`; otherwise at most
 * `recentStampsMs` (ADR 019).
 *
 * Every stamp handed out is `<epoch>.<tag stamp>`. The epoch is one more key read in the
 * same MGET; replacing it invalidates every entry at once, which bounds what an outage
 * must remember: past `maxPendingBumps` tags, the epoch is bumped instead of the tags.
 *
 * Bumps that could not be written are remembered, and replayed before the cache reports
 * 'ok' again; until then stamps() answers null, so this process never validates an entry
 * against a stamp it knows to be out of date.
 */
export class KeyvRedisCache implements Cache {
  readonly kind: 'redis' | 'memory+redis';
  private readonly link: RedisLink;
  private readonly store: Keyv;
  private readonly l1: Keyv | undefined;
  private readonly stampTtlMs: number;
  private readonly maxPendingBumps: number;
  /** Tags whose bump is not yet in Redis → the sequence number of their latest bump. */
  private readonly pending = new Map<string, number>();
  /** Sequence number of the latest overflow of `pending` (then the epoch must be bumped), or null. */
  private bumpAllAt: number | null = null;
  private sequence = 0;
  private replaying: Promise<void> | undefined;
  private readonly recent: RecentStamps;
  /** The channel every process publishes its bumps on. */
  private readonly channel: string;
  private readonly bumps: { close(): Promise<void> } | undefined;
  private readonly unregister: () => void;

  constructor(options: RedisCacheOptions) {
    this.link = options.link;
    this.stampTtlMs = options.stampTtlMs ?? DEFAULT_STAMP_TTL_MS;
    this.maxPendingBumps = Math.max(1, options.maxPendingBumps ?? 10_000);
    const namespace = `${options.prefix}:cache`;
    // The shared client is used as is (never connected or closed here); errors are thrown
    // to this adapter, which turns them into the link's state instead of misses that look
    // like real ones.
    const adapter = new KeyvRedis(options.link.client, {
      namespace,
      keyPrefixSeparator: ':',
      throwOnErrors: true,
      throwOnConnectError: true,
    });
    this.store = new Keyv({ store: adapter, namespace, useKeyPrefix: false, throwOnErrors: true, ...JSON_SERIALIZATION });
    // Failures are already reported through the link; the listener keeps them from surfacing twice.
    this.store.on('error', () => undefined);
    this.l1 =
      options.l1 === undefined
        ? undefined
        : new Keyv({ store: boundedMemoryStore(options.l1), namespace: undefined, useKeyPrefix: false, ...JSON_SERIALIZATION });
    this.kind = this.l1 === undefined ? 'redis' : 'memory+redis';
    const window = (ms: number | undefined) => Math.min(1000, Math.max(0, ms ?? 0));
    this.recent = new RecentStamps({ windowMs: window(options.recentStampsMs), pushedWindowMs: window(options.pushedStampsMs) });
    this.channel = `${namespace}:bumps`;
    this.bumps =
      window(options.pushedStampsMs) >= 1 && options.subscribe !== undefined
        ? options.subscribe(this.channel, {
            message: (text) => this.pushedBump(text),
            live: (live) => this.recent.pushed(live),
          })
        : undefined;
    this.unregister = this.link.onRecovery(() => {
      // Copies read before the outage are not trusted past it, however young.
      this.recent.forgetAll();
      return this.replay();
    });
  }

  async get(keys: readonly string[]): Promise<readonly unknown[]> {
    if (keys.length === 0) return [];
    if (this.link.state() !== 'ok') return missing(keys.length);
    const values: unknown[] = this.l1 === undefined ? missing(keys.length) : await this.fromL1(keys);
    const absent = keys.flatMap((key, index) => (values[index] === undefined ? [{ key, index }] : []));
    if (absent.length === 0) return values;
    const rows = await this.link.run(
      () => this.store.getMany<unknown>(absent.map(({ key }) => entryKey(key)), { raw: true }),
      null,
    );
    if (rows === null) return values;
    const now = Date.now();
    const refill: { key: string; value: unknown; ttl: number }[] = [];
    rows.forEach((row, i) => {
      if (row === undefined || row === null) return;
      const { key, index } = absent[i]!;
      values[index] = row.value;
      // The first tier never outlives the entry.
      if (typeof row.expires === 'number' && row.expires > now) refill.push({ key, value: row.value, ttl: row.expires - now });
    });
    if (this.l1 !== undefined && refill.length > 0) await this.l1.setMany(refill).catch(() => undefined);
    return values;
  }

  async set(entries: readonly CacheEntry[]): Promise<void> {
    const valid = storable(entries);
    if (valid.length === 0) return;
    if (this.l1 !== undefined)
      await this.l1.setMany(valid.map(({ key, value, ttlMs }) => ({ key, value, ttl: ttlMs }))).catch(() => undefined);
    await this.link.run(
      () => this.store.setMany(valid.map(({ key, value, ttlMs }) => ({ key: entryKey(key), value, ttl: ttlMs }))),
      undefined,
    );
  }

  async stamps(tags: readonly string[]): Promise<readonly string[] | null> {
    if (this.state() !== 'ok') {
      if (this.link.state() === 'ok') this.replayInBackground();
      return null;
    }
    if (tags.length === 0) return [];
    const keys = [EPOCH_KEY, ...tags.map(stampKey)];
    const read = await this.link.run(() => this.store.getMany<string>(keys), null);
    if (read === null) return null;
    const created = new Map<string, string>();
    const current = read.map((stamp, i) => {
      if (typeof stamp === 'string') return stamp;
      const key = keys[i]!;
      let made = created.get(key);
      if (made === undefined) created.set(key, (made = freshStamp()));
      return made;
    });
    if (created.size > 0) {
      const writes = [...created].map(([key, value]) => ({ key, value, ttl: key === EPOCH_KEY ? undefined : this.stampTtlMs }));
      // Racing creators overwrite each other: that only costs the loser a miss.
      if (!(await this.write(writes))) return null;
    }
    const [epoch, ...own] = current;
    return own.map((stamp) => `${epoch}.${stamp}`);
  }

  /** From this process's copies while they are younger than their window (recent-stamps.ts), else as stamps(). */
  async recentStamps(tags: readonly string[]): Promise<readonly string[] | null> {
    if (this.state() !== 'ok') return this.stamps(tags);
    return this.recent.read(tags, (absent) => this.stamps(absent));
  }

  /**
   * A bump is on the write path, where read-your-writes depends on it: it waits longer than
   * a read (the link's recovery wait) and is tried even while the link is degraded, as long
   * as the connection is up, so that one slow answer under load (which only makes a reader
   * bypass the cache) never leaves other processes validating against a stale stamp. Only
   * when Redis cannot take it is it remembered and replayed.
   */
  async bump(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    // Forgotten before the write and again once it is done: no copy taken meanwhile survives it.
    this.recent.forget(tags);
    const written =
      (await this.writeOnWritePath(tags.map((tag) => this.stampEntry(tag)))) && (await this.push(JSON.stringify(tags)));
    this.recent.forget(tags);
    if (written) return;
    // Checked synchronously with the remembering, so a bump can never slip between the
    // replay's last look at `pending` and the link reporting 'ok'.
    this.remember(tags);
    if (this.link.state() === 'ok') this.replayInBackground();
  }

  async bumpAll(): Promise<void> {
    this.recent.forgetAll();
    const written = (await this.writeOnWritePath([{ key: EPOCH_KEY, value: freshStamp(), ttl: undefined }])) && (await this.push(BUMP_ALL));
    this.recent.forgetAll();
    if (written) return;
    this.rememberAll();
    if (this.link.state() === 'ok') this.replayInBackground();
  }

  state(): CacheState {
    return this.link.state() === 'ok' && this.pending.size === 0 && this.bumpAllAt === null ? 'ok' : 'degraded';
  }

  async close(): Promise<void> {
    this.unregister();
    await this.bumps?.close();
    await this.l1?.clear();
  }

  private async fromL1(keys: readonly string[]): Promise<unknown[]> {
    try {
      return await this.l1!.getMany<unknown>([...keys]);
    } catch {
      return missing(keys.length);
    }
  }

  /**
   * Tells every process of a bump just written (those that subscribe forget their copies).
   * False when Redis did not take the message: the bump is then remembered and written (and
   * published) again, so no process keeps a copy it hides past the recovery.
   */
  private async push(text: string): Promise<boolean> {
    try {
      await this.publish(text);
      return true;
    } catch (error) {
      this.link.markDown(error);
      return false;
    }
  }

  /** Publishes on the bumps' channel within the link's recovery wait; rejects when Redis did not take it. */
  private async publish(text: string): Promise<void> {
    await this.link.attempt((client) => client.publish(this.channel, text), this.link.recoveryTimeoutMs);
  }

  /** A bump made by some process (this one included): its tags' copies are forgotten; anything unreadable forgets all. */
  private pushedBump(text: string): void {
    if (text === BUMP_ALL) return this.recent.forgetAll();
    try {
      const tags: unknown = JSON.parse(text);
      if (Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')) return this.recent.forget(tags);
    } catch {
      // not a message of this cache's
    }
    this.recent.forgetAll();
  }

  /** True when Redis took the writes within the recovery wait; a connection that is down is not waited for. */
  private async writeOnWritePath(entries: readonly { key: string; value: string; ttl: number | undefined }[]): Promise<boolean> {
    if (!this.link.client.isReady) return false;
    try {
      await this.link.attempt(() => this.store.setMany([...entries]), this.link.recoveryTimeoutMs);
      return true;
    } catch (error) {
      this.link.markDown(error);
      return false;
    }
  }

  /** True when Redis took the writes within the bounded wait. */
  private write(entries: readonly { key: string; value: string; ttl: number | undefined }[]): Promise<boolean> {
    return this.link.run(async () => {
      await this.store.setMany([...entries]);
      return true;
    }, false);
  }

  private stampEntry(tag: string) {
    return { key: stampKey(tag), value: freshStamp(), ttl: this.stampTtlMs };
  }

  private remember(tags: readonly string[]): void {
    const at = ++this.sequence;
    for (const tag of tags) this.pending.set(tag, at);
    if (this.pending.size > this.maxPendingBumps) this.rememberAll();
  }

  /** The epoch bump still to write covers every tag remembered so far. */
  private rememberAll(): void {
    this.bumpAllAt = ++this.sequence;
    this.pending.clear();
  }

  /** A replay started while the link looks healthy: its failure is an outage like any other. */
  private replayInBackground(): void {
    this.replay().catch((error: unknown) => this.link.markDown(error));
  }

  /**
   * Writes the remembered bumps; rejects when Redis fails meanwhile (the link retries on its
   * next probe). A bump is forgotten only when it was remembered before the write that
   * covers it was sent: one remembered later may concern data committed after that write.
   */
  private replay(): Promise<void> {
    if (this.replaying === undefined) {
      // Cleared in a `.finally` callback, which always runs after this assignment: a replay
      // with nothing to write completes synchronously, and clearing inside it would run
      // first and leave a settled promise here for good (no later bump ever replayed).
      const run: Promise<void> = this.writePending().finally(() => {
        if (this.replaying === run) this.replaying = undefined;
      });
      this.replaying = run;
    }
    return this.replaying;
  }

  private async writePending(): Promise<void> {
    while (this.bumpAllAt !== null || this.pending.size > 0) {
      const upTo = this.sequence;
      if (this.bumpAllAt !== null) {
        await this.link.attempt(() => this.store.set(EPOCH_KEY, freshStamp()), this.link.recoveryTimeoutMs);
        await this.publish(BUMP_ALL);
        if (this.bumpAllAt <= upTo) this.bumpAllAt = null;
        for (const [tag, at] of this.pending) if (at <= upTo) this.pending.delete(tag);
        continue;
      }
      const chunk = [...this.pending].slice(0, REPLAY_CHUNK);
      await this.link.attempt(() => this.store.setMany(chunk.map(([tag]) => this.stampEntry(tag))), this.link.recoveryTimeoutMs);
      await this.publish(JSON.stringify(chunk.map(([tag]) => tag)));
      for (const [tag, at] of chunk) if (this.pending.get(tag) === at) this.pending.delete(tag);
    }
  }
}
