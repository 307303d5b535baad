import 'reflect-metadata';
import { type AppConfig, loadConfig } from './config/config.js';
import { createProjectorWorker } from './composition/processes.js';
import { shutDownWorker } from './composition/shutdown.js';
import { describeStartupFailure } from './composition/startup-failure.js';

/**
 * `npm run worker`: a projector in its own process. Several may run at once against one
 * PostgreSQL; they share the outbox through leases. SIGTERM/SIGINT finish the batch in
 * progress (within SHUTDOWN_TIMEOUT_MS), then exit; a worker killed outright loses nothing
 * (its leases run out).
 */
async function main(config: AppConfig): Promise<void> {
  const worker = await createProjectorWorker(config);
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  running.catch((error: unknown) => {
    worker.logger.error({ err: error }, 'projector loop failed');
    process.exit(1);
  });
  const stopped = new Promise<'clean' | 'forced'>((resolve, reject) => {
    const shutdown = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return;
      worker.logger.info({ signal }, 'projector worker stopping after the batch in progress');
      stop.abort();
      shutDownWorker(worker, running, { timeoutMs: config.shutdownTimeoutMs }).then(resolve, reject);
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
  const outcome = await stopped;
  worker.logger.info({ outcome }, 'projector worker stopped');
  process.exit(outcome === 'clean' ? 0 : 1);
}

let config: AppConfig | undefined;
try {
  config = loadConfig();
} catch (error) {
  failed(error);
}
if (config !== undefined) main(config).catch(failed);

function failed(error: unknown): void {
  const reason = describeStartupFailure(error, { host: '', port: 0 });
  if (reason !== undefined) console.error(`conduit-cqrs worker could not start: ${reason}`);
  else console.error('conduit-cqrs worker failed to start:', error);
  process.exit(1);
}
