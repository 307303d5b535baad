import { emailTaken, usernameTaken } from '../../domain/index.js';
import { DependencyUnavailable } from '../../application/shared/errors.js';
import {
  concurrentUpdate,
  duplicate,
  referenceGone,
  slugTaken,
  type SaveConflict,
} from '../../application/shared/persistence.js';

/**
 * Unique constraints whose violation is an expected outcome of a race (two requests
 * claiming the same name or pair at once), by constraint name. Any other violation is a
 * bug or a broken database and is thrown, not returned.
 */
const CONFLICT_BY_CONSTRAINT: Readonly<Record<string, (aggregate: string) => SaveConflict>> = {
  users_username_key_unique: usernameTaken,
  users_email_unique: emailTaken,
  articles_slug_unique: slugTaken,
  follows_pkey: duplicate,
  favorites_pkey: duplicate,
  // Two writers recorded the same version of one aggregate: the row's version check
  // should have stopped the second, so this only backs it up.
  outbox_aggregate_version_unique: concurrentUpdate,
  // Two first requests of one external identity registered its linked user at once.
  users_pkey: concurrentUpdate,
};

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE and constraint name both drivers (node-postgres, PGlite) put on their errors, and MikroORM copies. */
const fieldsOf = (error: unknown): { code?: unknown; constraint?: unknown; cause?: unknown } =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown; constraint?: unknown }) : {};

/**
 * The SaveConflict a failed write stands for, or null when the error is not one (the
 * caller rethrows it). `aggregate` names the field of a DUPLICATE / CONCURRENT_UPDATE.
 */
export function saveConflictOf(error: unknown, aggregate: string): SaveConflict | null {
  const { code, constraint } = fieldsOf(error);
  // The aggregates' loads saw the referenced rows, so a missing one was deleted in between.
  if (code === FOREIGN_KEY_VIOLATION) return referenceGone(aggregate);
  if (code !== UNIQUE_VIOLATION) return null;
  const conflict = typeof constraint === 'string' ? CONFLICT_BY_CONSTRAINT[constraint] : undefined;
  return conflict ? conflict(aggregate) : null;
}

/**
 * Error codes (Node's and PostgreSQL's) that mean the database cannot be reached or will
 * not take work now, not that the statement is wrong.
 */
const OUTAGE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
]);

const isOutage = (error: unknown, depth = 0): boolean => {
  if (depth > 5) return false;
  const { code, cause } = fieldsOf(error);
  if (typeof code === 'string' && OUTAGE_CODES.has(code)) return true;
  if (error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(error.message))
    return true;
  return cause !== undefined && isOutage(cause, depth + 1);
};

/** The error as thrown on: DependencyUnavailable('database') when it is an outage, itself otherwise. */
export const translateOutage = (error: unknown): unknown =>
  error instanceof DependencyUnavailable || !isOutage(error) ? error : new DependencyUnavailable('database', { cause: error });
