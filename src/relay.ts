import 'reflect-metadata';
import { DatabaseInUseError } from './adapters/sql/pglite-lock.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createRelayProcess } from './composition/integration-processes.js';

/**
 * `npm run relay`: publishes the outbox's events to the broker (NATS_URL or AMQP_URL) as
 * integration events. Several may run at once; SIGTERM/SIGINT finish the batch in
 * progress; a relay killed outright loses nothing (its leases run out).
 */
async function main(): Promise<void> {
  const relay = await createRelayProcess(loadConfig());
  const stop = new AbortController();
  const shutdown = (signal: string) => {
    if (stop.signal.aborted) return;
    relay.logger.info({ signal }, 'relay stopping after the batch in progress');
    stop.abort();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await relay.run(stop.signal);
  await relay.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
