import { pino } from 'pino';
import { createApplication, type Application, type ApplicationOverrides } from '../../src/container.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApp {
  readonly app: Application['http'];
  readonly application: Application;
  close(): Promise<void>;
}

/**
 * The whole application, wired by the real composition root, on in-memory adapters (no
 * I/O) unless `config` asks for SQL storage. Silent logs unless LOG_LEVEL is set.
 */
export async function startTestApp(
  config: Partial<AppConfig> = {},
  overrides: ApplicationOverrides = {},
): Promise<TestApp> {
  const base = loadConfig({ NODE_ENV: 'test', STORAGE: 'memory', JWT_SECRET: TEST_JWT_SECRET });
  const application = await createApplication(
    { ...base, ...config },
    { logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }), ...overrides },
  );
  await application.http.ready();
  return { app: application.http, application, close: () => application.close() };
}
