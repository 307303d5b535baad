import type { ConsumerOptions, RetryBackoff } from './message-bus.js';
import { MessageBusError } from './message-bus.js';

/**
 * The rules every message bus adapter applies the same way: option checks, retry delays,
 * when to dead-letter, and the bounded de-duplication window. They live here, once, so the
 * NATS, RabbitMQ and memory adapters cannot drift apart (none may import another).
 */
export interface ConsumerSettings {
  readonly name: string;
  /** null: every type. */
  readonly types: ReadonlySet<string> | null;
  readonly maxDeliveries: number;
  readonly ackTimeoutMs: number;
  readonly concurrency: number;
  readonly backoff: RetryBackoff;
}

const DEFAULT_BACKOFF: RetryBackoff = { initialMs: 1000, maxMs: 30_000 };
export const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const positiveInteger = (value: number, what: string, min = 1): number => {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${what} must be an integer ≥ ${min}`);
  return value;
};

/** Consumer options are written by programmers: a bad one is a bug, reported at once. */
export function consumerSettings(options: ConsumerOptions): ConsumerSettings {
  if (!CONSUMER_NAME.test(options.name))
    throw new RangeError(`consumer name "${options.name}" must be 1-64 of A-Z a-z 0-9 _ -`);
  if (options.types !== undefined && options.types.length === 0)
    throw new RangeError('types must name at least one type (omit it for every type)');
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  positiveInteger(backoff.initialMs, 'backoff.initialMs', 0);
  if (!Number.isSafeInteger(backoff.maxMs) || backoff.maxMs < backoff.initialMs)
    throw new RangeError('backoff.maxMs must be an integer ≥ backoff.initialMs');
  return {
    name: options.name,
    types: options.types === undefined ? null : new Set(options.types),
    maxDeliveries: positiveInteger(options.maxDeliveries, 'maxDeliveries'),
    // NATS counts ack waits in whole milliseconds and refuses very short ones.
    ackTimeoutMs: positiveInteger(options.ackTimeoutMs, 'ackTimeoutMs', 100),
    concurrency: positiveInteger(options.concurrency ?? 1, 'concurrency'),
    backoff,
  };
}

export function wants(settings: ConsumerSettings, type: string): boolean {
  return settings.types === null || settings.types.has(type);
}

/** How long to wait before delivering again after failed delivery number `attempt`. */
export function retryDelayMs(attempt: number, backoff: RetryBackoff): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(backoff.initialMs * 2 ** exponent, backoff.maxMs);
}

export type AfterFailure = { readonly action: 'retry'; readonly delayMs: number } | { readonly action: 'dead-letter' };

export function afterFailure(attempt: number, settings: ConsumerSettings): AfterFailure {
  if (attempt >= settings.maxDeliveries) return { action: 'dead-letter' };
  return { action: 'retry', delayMs: retryDelayMs(attempt, settings.backoff) };
}

/**
 * A delivery past the limit means the previous attempt never settled (its consumer died or
 * timed out). It is dead-lettered without calling the handler again: an event that kills
 * its consumer must not kill every instance in turn.
 */
export function beyondLimit(attempt: number, settings: ConsumerSettings): string | null {
  if (attempt <= settings.maxDeliveries) return null;
  return `not acknowledged after ${settings.maxDeliveries} deliveries (the last attempt's consumer stopped or exceeded ackTimeoutMs ${settings.ackTimeoutMs})`;
}

/** The reason recorded with a dead letter: the error's message (bounded), or what was thrown. */
export function failureReason(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/**
 * The ids most recently seen, at most `capacity` of them (oldest forgotten first). Used where
 * the broker has no de-duplication of its own; bounded so memory is, and its limit is the
 * window's: a duplicate arriving after `capacity` newer ids gets through (docs/events.md).
 */
export class RecentIds {
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity: number) {
    positiveInteger(capacity, 'capacity');
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
  }
}

export type HandlerOutcome = 'ok' | 'timeout' | { readonly error: unknown };

/**
 * Runs a handler with the consumer's ack timeout. A handler still running when it expires
 * frees its slot (its delivery goes back to the broker); what it does later is ignored.
 * JavaScript cannot cancel it, so a handler must bound its own I/O.
 */
export function handleWithin(work: () => Promise<void>, timeoutMs: number): Promise<HandlerOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    Promise.resolve()
      .then(work)
      .then(
        () => resolve('ok'),
        (error: unknown) => resolve({ error }),
      )
      .finally(() => clearTimeout(timer));
  });
}

/**
 * Rejects with MessageBusError when `work` has not settled within `ms`. The work itself is
 * not cancelled (brokers' clients cannot always be), so what it does later must be harmless:
 * a late publish is de-duplicated by id, a late channel is kept for the next call.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MessageBusError(`${what}: no answer from the broker within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof MessageBusError ? error : new MessageBusError(`${what}: ${failureReason(error)}`, { cause: error }));
      },
    );
  });
}
