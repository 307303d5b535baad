import 'reflect-metadata';
import { DatabaseInUseError } from './adapters/sql/pglite-lock.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createProjectorWorker } from './composition/processes.js';

/**
 * `npm run worker`: a projector in its own process. Several may run at once against one
 * PostgreSQL; they share the outbox through leases. SIGTERM/SIGINT finish the batch in
 * progress, then exit; a worker killed outright loses nothing (its leases run out).
 */
async function main(): Promise<void> {
  const worker = await createProjectorWorker(loadConfig());
  const stop = new AbortController();
  const shutdown = (signal: string) => {
    if (stop.signal.aborted) return;
    worker.logger.info({ signal }, 'projector worker stopping after the batch in progress');
    stop.abort();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await worker.run(stop.signal);
  await worker.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
