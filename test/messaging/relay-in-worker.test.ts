import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '../../src/application/integration/integration-events.js';
import type { MessageBus, Subscription } from '../../src/application/integration/message-bus.js';
import { createProjectorWorker, type ProjectorWorker } from '../../src/composition/processes.js';
import { openMessageBus } from '../../src/composition/message-bus.js';
import { loadConfig } from '../../src/config/config.js';
import { nats } from '../contract/message-bus/brokers.js';
import { until } from '../faults/support/processes.js';
import { storedUser } from '../contract/repositories/write-side.contract.js';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { writeSideIn } from '../support/write-side-modules.js';

const broker = await nats();

/** RELAY=worker: a projector worker also publishes the outbox, so no relay process is needed. */
describe.skipIf(!process.env.TEST_DATABASE_URL || !broker.available)('relay inside the projector worker (RELAY=worker)', () => {
  const prefix = `w${randomBytes(4).toString('hex')}`;
  let db: TestSqlDatabase;
  let bus: MessageBus;
  let probe: Subscription;
  let worker: ProjectorWorker;
  const stop = new AbortController();
  let running: Promise<void>;
  const received: IntegrationEvent[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    bus = await openMessageBus({ url: broker.url, prefix, logger: pino({ level: 'silent' }) });
    probe = await bus.consumer.consume({ name: 'probe', maxDeliveries: 3, ackTimeoutMs: 5000 }, async ({ event }) => {
      received.push(event);
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      PROJECTOR: 'worker',
      NATS_URL: broker.url,
      BUS_PREFIX: prefix,
      RELAY: 'worker',
      JWT_SECRET: 'relay-in-worker-secret-relay-in-worker-secret',
    } as NodeJS.ProcessEnv);
    worker = await createProjectorWorker(config, { logger: pino({ level: 'silent' }) });
    running = worker.run(stop.signal);
    await until('the worker to register the relay', async () =>
      (await db.db.query(`select 1 from outbox_subscribers where name = 'relay'`)).length === 1,
    );
  }, 120_000);

  afterAll(async () => {
    stop.abort();
    await running;
    await worker?.close();
    await probe?.stop();
    await bus?.close();
    await db?.close();
  });

  it('publishes the events of writes as integration events and empties its queue', async () => {
    const { side } = writeSideIn(db.db);
    const users = [await storedUser(side), await storedUser(side)];
    await until('both registrations to reach the broker', async () => received.length >= 2);
    expect(received.map((event) => event.subject).sort()).toEqual(users.map((user) => `users/${user.id}`).sort());
    expect(received.every((event) => event.type === 'conduit.user.registered.v1')).toBe(true);
    await until('the relay queue to be empty', async () =>
      (await db.db.query(`select 1 from outbox_pending where subscriber = 'relay'`)).length === 0,
    );
  });
});
