import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { emailTaken, usernameTaken } from '../../domain/index.js';
import { concurrentUpdate, duplicate, referenceGone, slugTaken, type SaveConflict } from '../../application/shared/persistence.js';

/**
 * Unique constraints of migration 0001 whose violation is an expected outcome of a race
 * (two requests claiming the same name or pair at once), by constraint name. Any other
 * violation is a bug or a broken database and is thrown, not returned.
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
};

/**
 * The SaveConflict a failed write stands for, or null when the error is not one (the
 * caller rethrows it). `aggregate` names the field of a DUPLICATE / CONCURRENT_UPDATE.
 */
export function saveConflictOf(error: unknown, aggregate: string): SaveConflict | null {
  // The aggregates' loads saw the referenced rows, so a missing one was deleted in between.
  if (error instanceof ForeignKeyConstraintViolationException) return referenceGone(aggregate);
  if (!(error instanceof UniqueConstraintViolationException)) return null;
  // MikroORM copies the driver error's fields; both pg and PGlite name the constraint.
  const constraint = (error as { constraint?: unknown }).constraint;
  const conflict = typeof constraint === 'string' ? CONFLICT_BY_CONSTRAINT[constraint] : undefined;
  return conflict ? conflict(aggregate) : null;
}
