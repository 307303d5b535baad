import 'reflect-metadata';
import { type AppConfig, loadConfig } from './config/config.js';
import { createApplication } from './composition/processes.js';
import { shutDownApi } from './composition/shutdown.js';
import { describeStartupFailure } from './composition/startup-failure.js';

/** Entry point: configuration → composition → listen; graceful shutdown on SIGTERM/SIGINT. */
async function main(config: AppConfig): Promise<void> {
  const app = await createApplication(config);
  const { logger } = app;

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // SIGTERM comes from an orchestrator or a load balancer's supervisor: drain. SIGINT is
    // Ctrl-C in a terminal, where nobody routes traffic: stop accepting at once.
    const drainMs = signal === 'SIGTERM' ? config.shutdownDrainMs : 0;
    // The last resort, should closing a pool hang after the connections were cut.
    const backstop = setTimeout(() => process.exit(1), drainMs + 2 * config.shutdownTimeoutMs);
    backstop.unref();
    try {
      const outcome = await shutDownApi(app, { drainMs, timeoutMs: config.shutdownTimeoutMs });
      logger.info({ outcome }, 'stopped');
      process.exit(outcome === 'clean' ? 0 : 1);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.http.listen({ port: config.port, host: config.host });
  } catch (error) {
    // Nothing is listening: close what the composition opened, then report.
    await app.close().catch(() => undefined);
    throw error;
  }
}

let config: AppConfig | undefined;
try {
  config = loadConfig();
} catch (error) {
  failed(error, { host: '', port: 0 });
}
if (config !== undefined) {
  const listen = { host: config.host, port: config.port };
  main(config).catch((error: unknown) => failed(error, listen));
}

/** A start-up failure the operator can fix is one line on stderr; anything else is a bug and keeps its stack. */
function failed(error: unknown, listen: { host: string; port: number }): void {
  const reason = describeStartupFailure(error, listen);
  if (reason !== undefined) console.error(`conduit-cqrs could not start: ${reason}`);
  else console.error('conduit-cqrs failed to start:', error);
  process.exit(1);
}
