// The logger of a baseline process: the server's own factory from dist/ when it is there
// (same level, redaction and format, so the baseline pays for request logging exactly as
// the server does), else plain pino at the same level.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';

const FACTORY = fileURLToPath(new URL('../../dist/src/adapters/observability/logger.js', import.meta.url));

export async function baselineLogger() {
  const logLevel = process.env.LOG_LEVEL ?? 'info';
  if (existsSync(FACTORY)) {
    const module = await import(pathToFileURL(FACTORY).href);
    if (typeof module.createLogger === 'function') {
      return { logger: module.createLogger({ logLevel, env: 'production' }), source: 'dist/src/adapters/observability/logger.js' };
    }
  }
  return { logger: pino({ level: logLevel, timestamp: pino.stdTimeFunctions.isoTime }), source: 'pino defaults' };
}

/** Listens on HOST:PORT from the environment and stops cleanly on SIGTERM/SIGINT. */
export async function listen(app, onClose = async () => {}) {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await onClose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
}
