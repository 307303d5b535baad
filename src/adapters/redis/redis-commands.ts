import { tracingChannel, type TracingChannelSubscribers } from 'node:diagnostics_channel';

/** A command (or a MULTI/pipeline batch) sent to Redis, as an observer sees it: never a key or a value. */
export interface RedisCommand {
  /** `GET`, `INCR`, `DEL` …, or `MULTI` / `PIPELINE` for a batch. */
  readonly name: string;
  /** How many commands a batch holds; undefined for a single command. */
  readonly batchSize: number | undefined;
  readonly database: number;
  readonly address: string;
  readonly port: number | undefined;
}

/**
 * Told of each command as node-redis sends it. Answers what to call when it is answered
 * (with the error, if it failed), or nothing when it is of no interest (tracing: outside
 * any span).
 */
export interface RedisCommandObserver {
  started(command: RedisCommand): ((error?: unknown) => void) | undefined;
}

/** What node-redis publishes on its `node-redis:command` and `node-redis:batch` tracing channels. */
interface TracedCall {
  readonly command?: string;
  readonly batchMode?: 'MULTI' | 'PIPELINE';
  readonly batchSize?: number;
  readonly database: number;
  readonly serverAddress: string;
  readonly serverPort: number | undefined;
  readonly clientId: string;
  readonly error?: unknown;
}

const CHANNELS = ['node-redis:command', 'node-redis:batch'].map((name) => tracingChannel<unknown, TracedCall>(name));

/**
 * Tells `observer` of the commands of the client whose id `clientId` answers, through the
 * tracing channels node-redis publishes on (node:diagnostics_channel). node-redis builds
 * no trace context while nothing subscribes, so this costs nothing until it is called.
 * The channel's `start` runs synchronously in the caller's async context; `asyncEnd` (or
 * `end`, for a call that threw at once) carries the same context object, which is how the
 * end is found. A command inside a pipeline is left to its batch. Answers the
 * unsubscription (the channels are process-wide).
 */
export function watchCommands(clientId: () => string, observer: RedisCommandObserver): () => void {
  const open = new WeakMap<TracedCall, (error?: unknown) => void>();
  const finish = (call: TracedCall) => {
    const end = open.get(call);
    if (end === undefined) return;
    open.delete(call);
    end(call.error);
  };
  const subscribers: TracingChannelSubscribers<TracedCall> = {
    start: (call) => {
      if (call.clientId !== clientId() || (call.command !== undefined && call.batchMode !== undefined)) return;
      const end = observer.started({
        name: call.command ?? call.batchMode ?? 'unknown',
        batchSize: call.command === undefined ? call.batchSize : undefined,
        database: call.database,
        address: call.serverAddress,
        port: call.serverPort,
      });
      if (end !== undefined) open.set(call, end);
    },
    end: (call) => {
      if (call.error !== undefined) finish(call);
    },
    asyncStart: () => {},
    asyncEnd: finish,
    error: () => {},
  };
  for (const channel of CHANNELS) channel.subscribe(subscribers);
  return () => {
    for (const channel of CHANNELS) channel.unsubscribe(subscribers);
  };
}
