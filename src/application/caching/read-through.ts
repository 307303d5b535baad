import type { Result } from 'ts-results-es';
import type { DomainError } from '../../domain/index.js';
import type { ReadFreshness, TwoStepQuery } from '../shared/handler.js';
import type { Executes, UseCaseWrapper } from '../use-cases.js';
import type { Cache } from './cache.js';
import { DecodedEntries, deepFreeze, shareAnswer, type DecodedEntry } from './decoded-entries.js';
import { isCachedQuery, QUERY_CACHING, type CacheLifetime, type QueryCaching } from './query-caching.js';

/** Lifetimes of entries, in milliseconds; stamps decide validity, lifetimes only bound memory and a partition's staleness. */
export type CacheLifetimes = Readonly<Record<CacheLifetime, number>>;

/**
 * How each cached query's lookup ended: served from the cache, filled from the read store,
 * or sent to the read store because the cache could not answer (an outage, a slow backend).
 */
export type CacheLookup = 'hit' | 'miss' | 'error';

/** Told of every lookup of a cached query (metrics). */
export interface CacheMonitor {
  lookedUp(query: string, result: CacheLookup): void;
}

const unmonitored: CacheMonitor = { lookedUp: () => {} };

/**
 * What is stored under a query's key: the anonymous data with the tags it depends on and
 * their stamps as read *before* the query that produced it. Without `stamps` it is a hint
 * only: the tags a key's data depended on last time, so that the next fill can read their
 * stamps before its query (see `fill`).
 */
interface StoredEntry {
  readonly data?: unknown;
  readonly tags: readonly string[];
  readonly stamps?: readonly string[];
}

/** What a read found: the data, and the decoded entry it came from when it was a hit. */
interface Found<D> {
  readonly data: D;
  readonly decoded?: DecodedEntry;
}

interface Filled<D> {
  readonly data: D;
  /** The entry stored for it; null when only a hint could be. */
  readonly entry: StoredEntry | null;
}

type AnyQuery = TwoStepQuery<unknown, unknown, unknown, DomainError>;

const isTwoStep = (handler: Executes<unknown>): handler is AnyQuery =>
  typeof (handler as Partial<AnyQuery>).load === 'function' && typeof (handler as Partial<AnyQuery>).present === 'function';

/**
 * The read-through cache for every query the caching policies name (query-caching.ts),
 * applied where the use cases are assembled: the handler's anonymous `load` is cached, its
 * `present` runs per request. Other use cases pass through.
 */
export const readThroughCache = (
  cache: Cache,
  lifetimes: CacheLifetimes,
  monitor: CacheMonitor = unmonitored,
  decodedEntries = DEFAULT_DECODED_ENTRIES,
): UseCaseWrapper => {
  const decoded = new DecodedEntries(decodedEntries);
  return {
    wrap: (name, kind, handler) => {
      if (kind !== 'query' || !isCachedQuery(name)) return handler;
      if (!isTwoStep(handler)) throw new Error(`use case ${name} has a caching policy but no load/present steps`);
      const policy = QUERY_CACHING[name] as QueryCaching<unknown, unknown>;
      return new ReadThrough(name, handler, policy, cache, lifetimes[policy.lifetime], monitor, decoded);
    },
  };
};

/** Decoded entries one process keeps when the composition names no bound. */
const DEFAULT_DECODED_ENTRIES = 2000;

/** A fill in progress: `loadedFrom` numbers the moment its read-store query was sent. */
interface Fill<D> {
  readonly loadedFrom: number;
  readonly done: Promise<Filled<D>>;
}

/**
 * One cached query. The rules that keep it fresh (ADR 012):
 * 1. an entry is served only when every tag it depends on still has the stamp the entry
 *    holds, read from the shared tier during this very request;
 * 2. an entry is stored only with stamps read before the query that produced its data, so
 *    a change committed after those stamps were read has bumped one of them. The data's
 *    own tags (the ids it embeds) are only known after the query: the first fill of a key
 *    stores them as a hint, and the next fill reads their stamps first and stores the entry;
 * 3. concurrent misses of one key in this process share one read-store query: a request
 *    takes the data of a fill whose query was sent after the request began (it sees every
 *    write acknowledged before then); a request older than that fill takes its entry only
 *    if it holds against the request's own stamps, and otherwise joins the next fill.
 * When the cache cannot answer (stamps() is null) the query goes to the read store alone.
 *
 * The stamps are read for the request from the shared tier (`stamps`), or, for a reader who
 * may lag (`mayLag`, anonymous only), from this process's recent copies (`recentStamps`).
 * An entry this process validated is kept decoded and checked first, against the same
 * stamps: a hit on it fetches and parses nothing, and its anonymous answer is presented
 * once and shared (frozen) by every anonymous reader of that entry.
 */
class ReadThrough<I, D, O extends Result<unknown, DomainError>> implements Executes<I, O> {
  private readonly fills = new Map<string, Fill<D>>();
  /** Orders request starts and query sends in this process. */
  private clock = 0;

  constructor(
    private readonly name: string,
    private readonly query: { load(input: I): Promise<D>; present(input: I, data: D): Promise<O> },
    private readonly policy: QueryCaching<I, D>,
    private readonly cache: Cache,
    private readonly ttlMs: number,
    private readonly monitor: CacheMonitor,
    private readonly decoded: DecodedEntries,
  ) {}

  async execute(input: I): Promise<O> {
    const began = ++this.clock;
    const anonymous = this.policy.viewer(input) === undefined;
    const found = await this.read(input, began, anonymous && (input as ReadFreshness).mayLag === true);
    const decoded = found.decoded;
    if (!anonymous || decoded === undefined) return this.query.present(input, found.data);
    // The anonymous answer depends on the entry alone (the key holds all of the input but the viewer).
    if (decoded.anonymous !== undefined) return decoded.anonymous as O;
    const answer = await this.query.present(input, found.data);
    if (answer.isOk()) {
      shareAnswer(answer.value);
      decoded.anonymous = Object.freeze(answer);
    }
    return answer;
  }

  private stampsOf(tags: readonly string[], mayLag: boolean): Promise<readonly string[] | null> {
    return mayLag ? this.cache.recentStamps(tags) : this.cache.stamps(tags);
  }

  private async read(input: I, began: number, mayLag: boolean): Promise<Found<D>> {
    const key = `q:${this.name}:${this.policy.key(input)}`;
    const known = this.decoded.get(key);
    if (known !== undefined) {
      const stamps = await this.stampsOf(known.tags, mayLag);
      if (stamps === null) return this.bypass(input);
      if (stamps.every((stamp, i) => stamp === known.stamps[i])) {
        this.monitor.lookedUp(this.name, 'hit');
        return { data: known.data as D, decoded: known };
      }
      // Out of date here; the shared tier may hold a newer entry another process stored.
      this.decoded.drop(key, known);
    }
    const [stored] = await this.cache.get([key]);
    const entry = asStoredEntry(stored);
    const wanted = union(this.policy.inputTags(input), entry?.tags ?? []);
    const stamps = await this.stampsOf(wanted, mayLag);
    if (stamps === null) return this.bypass(input);
    const current = new Map(wanted.map((tag, i) => [tag, stamps[i]!]));
    if (entry !== undefined && this.holds(entry, input, current)) {
      this.monitor.lookedUp(this.name, 'hit');
      const decoded: DecodedEntry = { tags: wanted, stamps, data: deepFreeze(entry.data), until: performance.now() + this.ttlMs };
      this.decoded.set(key, decoded);
      return { data: decoded.data as D, decoded };
    }
    this.monitor.lookedUp(this.name, 'miss');
    return { data: await this.shared(key, input, began, current, mayLag) };
  }

  private async bypass(input: I): Promise<Found<D>> {
    this.monitor.lookedUp(this.name, 'error');
    return { data: await this.query.load(input) };
  }

  /** True when the entry carries data and every tag it needs has the stamp read now. */
  private holds(entry: StoredEntry, input: I, current: ReadonlyMap<string, string>): boolean {
    if (entry.stamps === undefined || !('data' in entry)) return false;
    const held = new Map(entry.tags.map((tag, i) => [tag, entry.stamps?.[i]]));
    return union(this.policy.inputTags(input), entry.tags).every((tag) => {
      const stamp = current.get(tag);
      return stamp !== undefined && held.get(tag) === stamp;
    });
  }

  private async shared(key: string, input: I, began: number, current: Map<string, string>, mayLag: boolean): Promise<D> {
    for (;;) {
      const running = this.fills.get(key);
      if (running === undefined) return (await this.lead(key, input, current)).data;
      const filled = await running.done;
      if (running.loadedFrom > began) return filled.data;
      if (filled.entry !== null && (await this.stillHolds(filled.entry, input, current, mayLag))) return filled.entry.data as D;
      // That fill's query may predate this request: take part in the next one.
    }
  }

  private lead(key: string, input: I, current: Map<string, string>): Promise<Filled<D>> {
    const loadedFrom = ++this.clock;
    // Removed from the map before anyone waiting on it resumes, so they see the next fill.
    const fill: Fill<D> = {
      loadedFrom,
      done: this.fill(key, input, current).finally(() => {
        if (this.fills.get(key) === fill) this.fills.delete(key);
      }),
    };
    this.fills.set(key, fill);
    return fill.done;
  }

  /** A check of a fill that began before this request: against its own stamps, plus any the fill learnt of since. */
  private async stillHolds(entry: StoredEntry, input: I, current: Map<string, string>, mayLag: boolean): Promise<boolean> {
    const unknown = entry.tags.filter((tag) => !current.has(tag));
    if (unknown.length > 0) {
      const more = await this.stampsOf(unknown, mayLag);
      if (more === null) return false;
      unknown.forEach((tag, i) => current.set(tag, more[i]!));
    }
    return this.holds(entry, input, current);
  }

  /**
   * Queries the read store and stores what it answered: the entry when every tag the data
   * depends on had its stamp read before the query (a refill: the previous entry or hint
   * named them), else only those tags, as the hint for the next fill.
   */
  private async fill(key: string, input: I, current: ReadonlyMap<string, string>): Promise<Filled<D>> {
    const data = await this.query.load(input);
    const needed = union(this.policy.inputTags(input), this.policy.dataTags(data));
    if (!needed.every((tag) => current.has(tag))) {
      await this.cache.set([{ key, value: { tags: needed } satisfies StoredEntry, ttlMs: this.ttlMs }]);
      return { data, entry: null };
    }
    const entry: StoredEntry = { data, tags: needed, stamps: needed.map((tag) => current.get(tag)!) };
    await this.cache.set([{ key, value: entry, ttlMs: this.ttlMs }]);
    // A copy of its own, as a hit on the shared tier would decode it: the read store's objects stay unfrozen.
    const copy: unknown = JSON.parse(JSON.stringify(data));
    const until = performance.now() + this.ttlMs;
    this.decoded.set(key, { tags: entry.tags, stamps: entry.stamps!, data: deepFreeze(copy), until });
    return { data, entry };
  }
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return second.length === 0 ? [...first] : [...new Set([...first, ...second])];
}

/** Anything else under a key (another version's shape, a foreign write) reads as absent. */
function asStoredEntry(value: unknown): StoredEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tags, stamps } = value as { tags?: unknown; stamps?: unknown };
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return undefined;
  if (stamps !== undefined && !(Array.isArray(stamps) && stamps.length === tags.length)) return undefined;
  return value as StoredEntry;
}
