import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001WriteModel } from './Migration0001WriteModel.js';

/**
 * Every migration, in order. Listed explicitly (not discovered from the file system) so
 * the same list runs from compiled JS, from tsx and under vitest.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration0001WriteModel', class: Migration0001WriteModel },
];
