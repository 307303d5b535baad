import { CredentialStore } from '../application/users/credential-store.js';
import { RememberedCredentials } from '../application/users/remembered-credentials.js';
import type { SqlDatabase } from '../adapters/sql/sql-database.js';
import { PostgresCredentialChanges, type CredentialFeedEvents } from '../adapters/sql/write/postgres-credential-changes.js';
import type { SharedStateContext } from './shared-state.js';

/** Longest life of a remembered credential state (as of a cached one, ADR 014). */
const REMEMBERED_TTL_MS = 60_000;

export interface CredentialsContext extends Omit<SharedStateContext, 'redisCommands'> {
  readonly database: SqlDatabase | null;
  readonly cacheOn: boolean;
}

/**
 * Where an API process checks the credential state behind every token. With a query cache
 * the check goes through it (ADR 014). Without one, on PostgreSQL, the process remembers
 * states and forgets them as the write model announces changes (LISTEN); elsewhere (or with
 * CREDENTIAL_MEMO_ENTRIES=0) every check reads the write model. Answers the memory, if any.
 */
export async function bindCredentials(ctx: CredentialsContext): Promise<RememberedCredentials | null> {
  const { config, container, logger, database } = ctx;
  if (ctx.cacheOn) {
    ctx.bindings.Credentials = 'checked through the query cache';
    return null;
  }
  if (database?.kind !== 'postgresql' || database.url === undefined || config.credentialMemoEntries === 0) {
    ctx.bindings.Credentials = 'read from the write model on every request';
    return null;
  }
  const feedEvents: CredentialFeedEvents = {
    lost: (error) => logger.warn({ err: error }, 'credential changes: not listening; every token check reads the write model until it is back'),
    regained: () => logger.info('credential changes: listening again'),
    unconfirmed: (missing, waitedMs) =>
      logger.warn(
        { listeners: missing, waitedMs: Math.round(waitedMs) },
        'credential changes: not every replica confirmed hearing a change in time; the command answers anyway',
      ),
  };
  // A revoking command waits for the other replicas as long as a write waits for its projection.
  const feed = new PostgresCredentialChanges(database.url, feedEvents, config.readYourWritesTimeoutMs);
  ctx.lifetime.defer(() => feed.close());
  await feed.start();
  const memory = new RememberedCredentials(container.get(CredentialStore), feed, {
    maxEntries: config.credentialMemoEntries,
    ttlMs: REMEMBERED_TTL_MS,
  });
  container.rebind(CredentialStore).toConstantValue(memory);
  ctx.readiness.push({ name: 'credential-changes', check: async () => (feed.live() ? 'ok' : 'degraded') });
  ctx.bindings.Credentials = `remembered (up to ${config.credentialMemoEntries}), forgotten on PostgreSQL's announcements`;
  return memory;
}
