import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { openMessageBus } from '../composition/message-bus.js';
import type { DeadLetter, MessageBus } from '../application/integration/message-bus.js';

/**
 * Operator commands for a consumer's dead letters:
 *   npm run dead-letters -- list CONSUMER [--limit N]   the oldest N (default 50), and why each died
 *   npm run dead-letters -- replay CONSUMER [IDS…]      delivers them (all, or those event ids) to CONSUMER again
 * The broker comes from NATS_URL or AMQP_URL (one of them), names from BUS_PREFIX.
 */
class UsageError extends Error {}

const USAGE = 'usage: dead-letters list CONSUMER [--limit N] | replay CONSUMER [EVENT_ID…]';

function brokerUrl(env: NodeJS.ProcessEnv): string {
  const nats = env['NATS_URL']?.trim() || undefined;
  const amqp = env['AMQP_URL']?.trim() || undefined;
  if (nats !== undefined && amqp !== undefined) throw new UsageError('set only one of NATS_URL and AMQP_URL');
  const url = nats ?? amqp;
  if (url === undefined) throw new UsageError('no message broker configured: set NATS_URL (nats://…) or AMQP_URL (amqp://…)');
  return url;
}

function describe(letter: DeadLetter): string {
  return `${letter.deadAt}  ${letter.event.id}  ${letter.event.type}  after ${letter.attempts} attempt(s): ${letter.reason}`;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { limit: { type: 'string', default: '50' } },
  });
  const [command, consumer, ...ids] = positionals;
  if ((command !== 'list' && command !== 'replay') || consumer === undefined) throw new UsageError(USAGE);
  const limit = Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number ≥ 1');
  if (command === 'list' && ids.length > 0) throw new UsageError(USAGE);

  const bus: MessageBus = await openMessageBus({
    url: brokerUrl(process.env),
    prefix: process.env['BUS_PREFIX'] ?? '',
    logger: pino({ level: 'warn' }),
    shutdownGraceMs: 0,
  });
  try {
    if (command === 'list') {
      const letters = await bus.deadLetters.list(consumer, limit);
      console.log(`${letters.length} dead letter(s) for ${consumer} on ${bus.kind}${letters.length === limit ? ` (the oldest ${limit}; --limit for more)` : ''}`);
      for (const letter of letters) console.log(describe(letter));
    } else {
      const replayed = await bus.deadLetters.replay(consumer, ids.length > 0 ? ids : undefined);
      console.log(`replayed ${replayed} dead letter(s) to ${consumer} on ${bus.kind}`);
      if (ids.length > replayed) console.log(`${ids.length - replayed} of the given id(s) were not dead letters of ${consumer}`);
    }
  } finally {
    await bus.close();
  }
}

main().catch((error: unknown) => {
  // Operator mistakes and broker failures get one clear line; anything else is a bug and keeps its stack.
  const known = error instanceof UsageError || error instanceof RangeError || (error instanceof Error && error.name === 'MessageBusError');
  console.error(known ? `dead-letters: ${(error as Error).message}` : error);
  process.exit(1);
});
