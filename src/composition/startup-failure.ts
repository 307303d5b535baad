import { DatabaseInUseError } from '../adapters/sql/pglite-lock.js';
import { DependencyUnavailable } from '../application/shared/errors.js';
import { ConfigError } from '../config/config.js';

/** The setting that names each dependency, for the hint in the message. */
const SETTING_OF: Readonly<Record<string, string>> = {
  database: 'DATABASE_URL',
  'read-store': 'MONGO_URL, or DATABASE_URL for the SQL read store',
  cache: 'REDIS_URL',
  broker: 'the broker URL',
};

/** What a start can fail on that is the operator's to fix, not a bug: said in one line. */
export function describeStartupFailure(error: unknown, listen: { readonly host: string; readonly port: number }): string | undefined {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) return error.message;
  if (error instanceof DependencyUnavailable) {
    const setting = SETTING_OF[error.dependency];
    const reason = rootReason(error.cause);
    return `the ${error.dependency} cannot be reached${reason ? ` (${reason})` : ''}${setting ? `: check ${setting} and that it is running` : ''}`;
  }
  const code = codeOf(error);
  if (code === 'EADDRINUSE') return `port ${listen.port} on ${listen.host} is already in use: stop what listens there or choose another PORT`;
  if (code === 'EACCES') return `no permission to listen on port ${listen.port} on ${listen.host}: choose a PORT above 1023`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${listen.host}: no such address on this machine (HOST)`;
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The innermost cause's own words, shortened to the system error when there is one
 * (`connect ECONNREFUSED 127.0.0.1:5432`). Driver messages name hosts and users, never
 * passwords.
 */
function rootReason(cause: unknown): string | undefined {
  let current = cause;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    const inner: unknown = current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : current.cause;
    if (!(inner instanceof Error)) break;
    current = inner;
  }
  if (!(current instanceof Error)) return undefined;
  const firstLine = current.message.split('\n')[0]?.trim();
  return firstLine !== undefined && firstLine !== '' ? firstLine : codeOf(current);
}
