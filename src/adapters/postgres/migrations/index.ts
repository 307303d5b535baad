import type { MigrationObject } from '@mikro-orm/core';

/**
 * Every migration, in order. Listed explicitly (not discovered from the file system) so
 * the same list runs from compiled JS, from tsx and under vitest.
 */
export const migrations: MigrationObject[] = [];
