import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/open-sql-database.js';
import { createApplication } from '../../src/composition/processes.js';
import { loadConfig } from '../../src/config/config.js';
import { openStackEnvironment, registerAndPublish, type StackEnvironment } from '../support/app.js';
import { FastTestHasher } from '../http/support/client.js';

const stacks: StackEnvironment[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
});

/**
 * Writers are answered before their own events leave the projector's queue (ADR 024); a
 * clean shutdown acknowledges them, rather than leaving them to run out their leases and
 * be applied a second time by the next process.
 */
describe('closing the API', () => {
  it('acknowledges every own event the writers were answered for', async () => {
    const stack = await openStackEnvironment('pglite');
    stacks.push(stack);
    // A lease far longer than the test: only an acknowledgement empties the queue.
    const env = { ...stack.env, PROJECTOR_LEASE_MS: '600000' } as NodeJS.ProcessEnv;
    const application = await createApplication(loadConfig(env), {
      logger: pino({ level: 'silent' }),
      passwordHasher: new FastTestHasher(),
    });
    await registerAndPublish(application.http, 'closing', 'Closed cleanly');
    await application.close();

    const db = await openSqlDatabase({ dataDir: `${stack.env.DATA_DIR}/pglite` });
    try {
      const [row] = await db.query<{ events: number; pending: number }>(
        `select (select count(*)::int from outbox) as events,
                (select count(*)::int from outbox_pending where subscriber = 'projector') as pending`,
      );
      expect(row?.events).toBeGreaterThanOrEqual(2);
      expect(row?.pending).toBe(0);
    } finally {
      await db.close();
    }
  });
});
