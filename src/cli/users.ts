import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Projector } from '../application/read-side/projector.js';
import { Clock } from '../application/shared/ports.js';
import { ChangeRoleHandler } from '../application/users/change-role.js';
import { UserRepository } from '../application/users/user.repository.js';
import { LoggingAuditLog } from '../adapters/observability/logging-audit-log.js';
import { DatabaseInUseError } from '../adapters/sql/pglite-lock.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { compose } from '../container.js';

/**
 * Operator commands for users' roles (the operator holds the database, so no user has to
 * authorise them; each is recorded as an event and one audit line):
 *   npm run users -- grant admin USERNAME
 *   npm run users -- revoke admin USERNAME
 */
const USAGE = 'usage: npm run users -- grant admin USERNAME | revoke admin USERNAME';

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const [command, role, username, ...extra] = positionals;
  if ((command !== 'grant' && command !== 'revoke') || role !== 'admin' || !username || extra.length > 0)
    throw new ConfigError(USAGE);
  const composition = await compose(loadConfig(), 'worker', { logger: pino({ level: 'warn' }) });
  try {
    const { container } = composition;
    // The audit line goes to stdout as JSON whatever the log level of the rest.
    const audit = new LoggingAuditLog(pino({ level: 'info' }));
    const handler = new ChangeRoleHandler(container.get(UserRepository), container.get(Clock), audit);
    const changed = await handler.execute({
      username,
      role: command === 'grant' ? 'admin' : 'user',
      by: { kind: 'operator' },
    });
    if (changed.isErr()) throw new ConfigError(`${username}: ${changed.error.code === "USER.NOT_FOUND" ? "no such user" : `${changed.error.field} ${changed.error.message}`}`);
    // Projected now, so the read models and every replica's credential cache hear of it at once.
    await container.get(Projector).catchUp();
    const { changed: didChange } = changed.value;
    const what = command === 'grant' ? 'is now an admin' : 'is no longer an admin';
    console.error(didChange ? `${changed.value.username} ${what}` : `${changed.value.username} ${what} (unchanged)`);
  } finally {
    await composition.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
