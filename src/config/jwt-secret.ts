import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';

/**
 * The JWT signing secret: JWT_SECRET when set. Outside production, when it is not set, a
 * random secret is generated once and kept in the data folder (mode 0600), so tokens
 * survive restarts; a warning says so. The secret itself is never logged.
 */
export function resolveJwtSecret(config: AppConfig, logger: Logger): string {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) {
      logger.warn({ file }, 'JWT_SECRET is not set: using the development secret kept in the data folder');
      return stored;
    }
  } catch {
    // Not there yet: created below.
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  logger.warn({ file }, 'JWT_SECRET is not set: generated a development secret and kept it in the data folder');
  return secret;
}
