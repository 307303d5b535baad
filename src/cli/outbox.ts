import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { EventOutbox } from '../application/projections/event-outbox.js';
import { DatabaseInUseError } from '../adapters/postgres/orm.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { openInfrastructure } from '../container.js';

/**
 * Operator commands for the outbox:
 *   npm run outbox -- status     how many events are to do, parked, and the last position
 *   npm run outbox -- parked     the parked events and why they failed
 *   npm run outbox -- requeue    puts every parked event back in the queue (after a fix)
 */
const { positionals } = parseArgs({ allowPositionals: true });

async function main(): Promise<void> {
  const command = positionals[0] ?? 'status';
  if (!['status', 'parked', 'requeue'].includes(command)) throw new ConfigError(`unknown command "${command}" (status | parked | requeue)`);
  const infra = await openInfrastructure(loadConfig(), { logger: pino({ level: 'warn' }) });
  try {
    const outbox = infra.container.get<EventOutbox>(EventOutbox);
    if (command === 'requeue') {
      console.log(`requeued ${await outbox.requeueParked()} parked event(s)`);
    } else if (command === 'parked') {
      for (const entry of await outbox.parked(1000))
        console.log(
          `#${entry.position} ${entry.event.type} ${entry.event.aggregateType}:${entry.event.aggregateId}@${entry.event.version} ` +
            `after ${entry.attempts} attempts, parked ${entry.parkedAt.toISOString()}: ${entry.reason}`,
        );
    } else {
      const last = await outbox.lastPosition();
      const parked = (await outbox.parked(100_000)).length;
      console.log(`last position ${last}; projected through it: ${await outbox.projectedThrough(last)}; parked: ${parked}`);
    }
  } finally {
    await infra.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
