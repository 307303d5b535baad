import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { OutboxOperations } from '../application/read-side/outbox-operations.js';
import type { OutboxSubscriber } from '../application/read-side/event-outbox.js';
import { DatabaseInUseError } from '../adapters/sql/pglite-lock.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { compose } from '../container.js';

/**
 * Operator commands for the outbox, per subscriber (`--subscriber projector`, the default,
 * or `relay`):
 *   npm run outbox -- status     events still to do, the oldest one's age, parked events, the last position
 *   npm run outbox -- parked     the parked events and why they failed
 *   npm run outbox -- requeue    puts every parked event back in the queue (after a fix)
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { subscriber: { type: 'string', default: 'projector' } },
});

async function main(): Promise<void> {
  const command = positionals[0] ?? 'status';
  if (!['status', 'parked', 'requeue'].includes(command))
    throw new ConfigError(`unknown command "${command}" (status | parked | requeue)`);
  if (values.subscriber !== 'projector' && values.subscriber !== 'relay')
    throw new ConfigError(`unknown subscriber "${values.subscriber}" (projector | relay)`);
  const subscriber: OutboxSubscriber = values.subscriber;
  const composition = await compose(loadConfig(), 'worker', { logger: pino({ level: 'warn' }) });
  try {
    const outbox = composition.container.get(OutboxOperations);
    if (command === 'requeue') {
      console.log(`requeued ${await outbox.requeue(subscriber)} parked event(s) of ${subscriber}`);
    } else if (command === 'parked') {
      for (const entry of await outbox.parked(subscriber))
        console.log(
          `#${entry.position} ${entry.event.type} ${entry.event.aggregateType}:${entry.event.aggregateId}@${entry.event.version} ` +
            `after ${entry.attempts} attempts, parked ${entry.parkedAt.toISOString()}: ${entry.reason}`,
        );
    } else {
      const status = await outbox.status(subscriber);
      const oldest = status.oldestAgeMs === null ? 'none' : `${Math.round(status.oldestAgeMs / 1000)} s old`;
      console.log(
        `${subscriber}: ${status.pending} event(s) to do (oldest ${oldest}), ${status.parked} parked; last position ${status.lastPosition}`,
      );
    }
  } finally {
    await composition.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
