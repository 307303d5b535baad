import type { Logger } from 'pino';

/** How a process stops on SIGTERM (SHUTDOWN_DRAIN_MS, SHUTDOWN_TIMEOUT_MS). */
export interface ShutdownOptions {
  /** How long the process keeps serving, unready, before it stops accepting connections. */
  readonly drainMs: number;
  /** How long requests in flight (or the batch in progress) may take after that. */
  readonly timeoutMs: number;
}

/** What the shutdown sequence needs of an API process. */
export interface Drainable {
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Readiness answers 503 from now on; every answer asks its client to reconnect. */
  drain(): void;
  /** Stops accepting, waits for the requests in flight, then closes pools and stores. */
  close(): Promise<void>;
  /** Cuts every open connection, in flight or not (when the timeout is over). */
  cutConnections(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The API's shutdown, in the order a load balancer needs it:
 *
 * 1. drain: readiness turns 503 at once, but every request — in flight or new — is still
 *    served for `drainMs`, each answer with `Connection: close`, so the load balancer
 *    (its readiness probe, or its next connection attempt) moves to the other replicas
 *    while nothing it sends here fails, and no kept-alive connection is left idle;
 * 2. close: the listening socket closes (new connections are refused, which a load
 *    balancer retries elsewhere for any method), the requests in flight finish;
 * 3. after `timeoutMs` of that, the connections still open are cut; then the pools close.
 *
 * Resolves with 'clean', or 'forced' when connections had to be cut. Rejects when closing
 * a pool or store failed.
 */
export async function shutDownApi(app: Drainable, options: ShutdownOptions): Promise<'clean' | 'forced'> {
  app.drain();
  app.logger.info({ drainMs: options.drainMs }, 'draining: readiness answers 503, requests are still served');
  if (options.drainMs > 0) await sleep(options.drainMs);
  app.logger.info({ timeoutMs: options.timeoutMs }, 'closing: no new connections, finishing the requests in flight');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    app.logger.warn({ timeoutMs: options.timeoutMs }, 'requests still in flight after SHUTDOWN_TIMEOUT_MS: closing their connections');
    app.cutConnections();
  }, options.timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
  return forced ? 'forced' : 'clean';
}

/** What the shutdown sequence needs of a projector worker. */
export interface StoppableWorker {
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  close(): Promise<void>;
}

/**
 * The worker's shutdown: `stop` has been aborted, so `running` (its projection loop)
 * finishes the batch in progress and claims no further one. When that takes longer than
 * `timeoutMs` (a store that hangs), the process gives up on the batch: its leases are not
 * renewed any more, so another worker claims those events once PROJECTOR_LEASE_MS has
 * passed, and the projections are idempotent (ADR 006), so applying them twice is harmless.
 */
export async function shutDownWorker(
  worker: StoppableWorker,
  running: Promise<void>,
  options: Pick<ShutdownOptions, 'timeoutMs'>,
): Promise<'clean' | 'forced'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const outcome = await Promise.race([running.then(() => 'finished' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    worker.logger.warn(
      { timeoutMs: options.timeoutMs },
      'the batch in progress did not finish within SHUTDOWN_TIMEOUT_MS: leaving it to the other workers once its leases run out',
    );
    return 'forced';
  }
  await worker.close();
  return 'clean';
}
