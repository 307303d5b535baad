import 'reflect-metadata';
import { DatabaseInUseError } from './adapters/sql/pglite-lock.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createNotifierProcess } from './composition/integration-processes.js';

/**
 * `npm run notifier`: builds users' notifications from the broker's integration events
 * (NATS_URL or AMQP_URL). Several may run at once and share the work; SIGTERM/SIGINT
 * finish the events in progress; a notifier killed outright loses nothing (unacknowledged
 * events are delivered again, and its inbox makes the repeat harmless).
 */
async function main(): Promise<void> {
  const notifier = await createNotifierProcess(loadConfig());
  const stop = new AbortController();
  const shutdown = (signal: string) => {
    if (stop.signal.aborted) return;
    notifier.logger.info({ signal }, 'notifier stopping after the events in progress');
    stop.abort();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await notifier.run(stop.signal);
  await notifier.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
